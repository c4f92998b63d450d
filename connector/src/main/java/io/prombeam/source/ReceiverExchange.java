package io.prombeam.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One HTTP/1.1 request to the receiver and its one answer. The body is read through its framing
 * ({@code Content-Length} or chunked) under the body deadline, which starts at the first read,
 * after a {@code 100 Continue} when the client asked for one.
 */
final class ReceiverExchange {
  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final String method;
  private final String path;
  private final Map<String, String> headers; // lower-case names, first value of each
  private final DeadlineInput in;
  private final OutputStream out;
  private final long bodyTimeoutMillis;
  private final Map<String, String> responseHeaders = new LinkedHashMap<>();
  private final Body body;
  private final boolean keepAlive;
  private boolean replied;

  ReceiverExchange(
      String method,
      String path,
      Map<String, String> headers,
      long contentLength,
      boolean keepAlive,
      DeadlineInput in,
      OutputStream out,
      long bodyTimeoutMillis) {
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.in = in;
    this.out = out;
    this.bodyTimeoutMillis = bodyTimeoutMillis;
    this.keepAlive = keepAlive;
    this.body = new Body(contentLength);
  }

  /** The request method, as sent. */
  String method() {
    return method;
  }

  /** The request path, still percent-encoded, without the query. */
  String rawPath() {
    return path;
  }

  /** The first value of the request header {@code name} (any case), or null. */
  @Nullable String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** Sets a header of the answer. */
  void setResponseHeader(String name, String value) {
    responseHeaders.put(name, value);
  }

  /** The request body; reads fail with {@link DeadlineInput.ReadTimeout} past the body deadline. */
  InputStream body() {
    return body;
  }

  /** Whether an answer was sent. */
  boolean replied() {
    return replied;
  }

  /**
   * Whether the connection can carry another request: only when the client allows it and this
   * request's body was read to its end, so the next request starts where this one ended.
   */
  boolean reusable() {
    return keepAlive && body.complete();
  }

  /** Sends the answer: {@code text} as a plain-text body, none when empty. */
  void reply(int status, String text) throws IOException {
    if (replied) {
      throw new IllegalStateException("answered twice");
    }
    replied = true;
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(128);
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (Map.Entry<String, String> h : responseHeaders.entrySet()) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    if (status != 204) {
      if (b.length > 0) {
        head.append("Content-Type: text/plain; charset=utf-8\r\n");
      }
      head.append("Content-Length: ").append(b.length).append("\r\n");
    }
    if (!reusable()) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
    if (status != 204 && !method.equals("HEAD")) {
      out.write(b);
    }
    out.flush();
  }

  private static String reason(int status) {
    switch (status) {
      case 204:
        return "No Content";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 413:
        return "Content Too Large";
      case 415:
        return "Unsupported Media Type";
      case 431:
        return "Request Header Fields Too Large";
      case 500:
        return "Internal Server Error";
      case 501:
        return "Not Implemented";
      case 503:
        return "Service Unavailable";
      case 505:
        return "HTTP Version Not Supported";
      default:
        return "Status";
    }
  }

  /** A body whose chunked framing is broken: answered 400. */
  static final class MalformedBody extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedBody(String why) {
      super(why);
    }
  }

  /** The body as its framing delimits it: {@code length} bytes, or chunked when negative. */
  private final class Body extends InputStream {
    private long left; // of this fixed body, or of the current chunk
    private final boolean chunked;
    private boolean started;
    private boolean done;

    Body(long length) {
      this.chunked = length < 0;
      this.left = chunked ? 0 : length;
      this.done = length == 0;
    }

    boolean complete() {
      return done;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (!started) {
        started = true;
        if ("100-continue".equalsIgnoreCase(header("Expect"))) {
          out.write(CONTINUE);
          out.flush();
        }
        in.deadlineIn(
            bodyTimeoutMillis, "request body not received within " + bodyTimeoutMillis + " ms");
      }
      if (chunked && left == 0) {
        left = nextChunkSize();
        if (left == 0) {
          skipTrailers();
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new IOException("connection closed with " + left + " body bytes still due");
      }
      left -= n;
      if (left == 0) {
        if (chunked) {
          expectLineEnd();
        } else {
          done = true;
        }
      }
      return n;
    }

    private long nextChunkSize() throws IOException {
      String line = line();
      int ext = line.indexOf(';');
      String hex = (ext < 0 ? line : line.substring(0, ext)).trim();
      if (hex.isEmpty() || hex.length() > 15) {
        throw new MalformedBody("bad chunk size line: " + line);
      }
      try {
        return Long.parseLong(hex, 16);
      } catch (NumberFormatException e) {
        throw new MalformedBody("bad chunk size line: " + line);
      }
    }

    private void skipTrailers() throws IOException {
      for (int i = 0; i < 100; i++) {
        if (line().isEmpty()) {
          return;
        }
      }
      throw new MalformedBody("more than 100 trailer lines");
    }

    private void expectLineEnd() throws IOException {
      if (!line().isEmpty()) {
        throw new MalformedBody("chunk data longer than its size");
      }
    }

    /** A CRLF- or LF-terminated line of at most 4 KiB, without its terminator. */
    private String line() throws IOException {
      StringBuilder s = new StringBuilder();
      while (true) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed inside the chunked body");
        }
        if (c == '\n') {
          int n = s.length();
          return n > 0 && s.charAt(n - 1) == '\r' ? s.substring(0, n - 1) : s.toString();
        }
        if (s.length() >= 4096) {
          throw new MalformedBody("chunked body line over 4 KiB");
        }
        s.append((char) c);
      }
    }
  }
}
