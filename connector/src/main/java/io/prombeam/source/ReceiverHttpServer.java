package io.prombeam.source;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The receiver's own small HTTP/1.1 server: a thread per connection over blocking sockets, every
 * read under a deadline of this server's own. The JDK's {@code com.sun.net.httpserver} was replaced
 * because its only time limits are JVM-wide system properties, so a client trickling its header a
 * byte at a time held one of its threads for good, and its Nagle setting too is JVM-wide.
 *
 * <p>Time limits: a connection may sit idle between requests for {@code idle}; a request's line and
 * headers must arrive within {@code header} of its first byte (408 and closed after), its body
 * within {@code body} of the first body read. At most {@code maxConnections} are served at once;
 * one more is answered 503 with {@code Retry-After} and closed.
 */
final class ReceiverHttpServer {
  /** Answers one request; must {@link ReceiverExchange#reply reply}. */
  interface Handler {
    void handle(ReceiverExchange exchange) throws Exception;
  }

  /** Request line and headers together at most (431 above), as Go's default of 1 MiB is lax. */
  static final int MAX_HEAD_BYTES = 64 << 10;

  private final ServerSocket listener;
  private final ReceiverLimits limits;
  private final Handler handler;
  private final Semaphore slots;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "prombeam-receiver");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean stopping;

  ReceiverHttpServer(
      String host, int port, @Nullable SSLContext tls, ReceiverLimits limits, Handler handler)
      throws IOException {
    this.limits = limits;
    this.handler = handler;
    this.slots = new Semaphore(limits.maxConnections);
    InetAddress address = InetAddress.getByName(host);
    this.listener =
        tls == null
            ? new ServerSocket(port, 64, address)
            : tls.getServerSocketFactory().createServerSocket(port, 64, address);
    Thread acceptor = new Thread(this::acceptLoop, "prombeam-receiver-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port listened on (the one chosen when 0 was asked for). */
  int port() {
    return listener.getLocalPort();
  }

  /**
   * Stops listening, closes connections idle between requests at once, and the others (a request
   * under way, or a new connection whose first request is still to be read) once their answer is
   * out or after {@code graceMillis}. A request begun before the stop is read and answered (the
   * handler sees {@link #stopping()}: 503), so a sender is not cut off mid-request.
   */
  void stop(long graceMillis) {
    stopping = true;
    closeQuietly(listener);
    long until = System.currentTimeMillis() + graceMillis;
    while (System.currentTimeMillis() < until) {
      boolean busy = false;
      for (Connection c : open) {
        if (c.active) {
          busy = true;
        } else {
          closeQuietly(c.socket);
        }
      }
      if (!busy) {
        break;
      }
      sleep(20);
    }
    for (Connection c : open) {
      closeQuietly(c.socket);
    }
    threads.shutdown();
  }

  private void acceptLoop() {
    while (!stopping) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        if (!stopping) {
          RemoteWriteReceiverSource.LOG.warn("remote-write receiver cannot accept", e);
          sleep(100);
        }
        continue;
      }
      if (!slots.tryAcquire()) {
        refuseBusy(s);
        continue;
      }
      Connection c = new Connection(s);
      c.active = true; // until it waits for a request: a TLS handshake or a first request
      open.add(c);
      threads.execute(() -> serve(c));
    }
  }

  /** Over the connection bound: a short 503 that fits the socket's buffer, then closed. */
  private void refuseBusy(Socket s) {
    try (s) {
      if (s instanceof SSLSocket) {
        return; // no handshake for a refused connection
      }
      s.setSoTimeout(1000);
      s.getOutputStream()
          .write(
              ("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
    } catch (IOException ignored) {
      // the client left already
    }
  }

  private void serve(Connection c) {
    Socket socket = c.socket;
    try {
      socket.setTcpNoDelay(true); // a 204 must not wait for the client's delayed ACK
      DeadlineInput in = new DeadlineInput(socket);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 4096);
      if (socket instanceof SSLSocket) {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.headerTimeoutMillis));
        ((SSLSocket) socket).startHandshake();
      }
      for (boolean first = true; ; first = false) {
        if (!first) {
          // between requests: idle, unless a pipelined request is already in. A new connection
          // stays active until its first request is read: its client has sent it, or is about
          // to, and must get an answer (503 while stopping), not a closed connection.
          c.active = in.hasBuffered();
          if (stopping && !c.active) {
            return;
          }
        }
        ReceiverExchange ex = nextExchange(c, in, out);
        if (ex == null) {
          return;
        }
        try {
          handler.handle(ex);
          if (!ex.replied()) {
            ex.reply(500, "receiver error: no answer");
          }
        } finally {
          c.active = false;
        }
        if (!ex.reusable()) {
          lingeringClose(socket, in);
          return;
        }
      }
    } catch (Exception e) {
      // the client left, timed out or spoke no HTTP: nothing to answer to
      RemoteWriteReceiverSource.LOG.debug("remote-write receiver connection ended", e);
    } finally {
      closeQuietly(socket);
      open.remove(c);
      slots.release();
    }
  }

  /**
   * The next request on this connection, or null when the client closed it or stayed idle too long.
   * A request that cannot be parsed or comes too slowly is answered here and the connection closed.
   */
  private @Nullable ReceiverExchange nextExchange(Connection c, DeadlineInput in, OutputStream out)
      throws IOException {
    in.deadlineIn(limits.idleTimeoutMillis, "idle");
    int first;
    try {
      first = in.read();
    } catch (DeadlineInput.ReadTimeout idle) {
      return null;
    }
    if (first < 0) {
      return null;
    }
    c.active = true;
    in.deadlineIn(
        limits.headerTimeoutMillis,
        "request header not received within " + limits.headerTimeoutMillis + " ms");
    String head;
    try {
      head = readHead(in, first);
    } catch (DeadlineInput.ReadTimeout e) {
      refuse(out, 408, e.getMessage());
      return null;
    }
    if (head == null) {
      refuse(out, 431, "request line and headers over " + MAX_HEAD_BYTES + " bytes");
      return null;
    }
    String[] lines = head.split("\r?\n");
    String[] requestLine = lines[0].split(" ");
    if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
      refuse(out, requestLine.length == 3 ? 505 : 400, "not an HTTP/1.x request line");
      return null;
    }
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0 || Character.isWhitespace(lines[i].charAt(0))) {
        refuse(out, 400, "malformed header line");
        return null;
      }
      String name = lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
      if (!name.equals(name.trim())) { // "Content-Length : 5": a classic smuggling shape
        refuse(out, 400, "whitespace between a header name and its colon");
        return null;
      }
      String value = lines[i].substring(colon + 1).trim();
      String before = headers.putIfAbsent(name, value);
      if (before != null && name.equals("content-length") && !before.equals(value)) {
        refuse(out, 400, "conflicting Content-Length headers");
        return null;
      }
    }
    long length = framing(headers);
    if (length == -2) {
      refuse(out, 400, "a body must be framed by Content-Length or chunked, not both or other");
      return null;
    }
    String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
    boolean keepAlive =
        requestLine[2].equals("HTTP/1.1")
            ? !connection.contains("close")
            : connection.contains("keep-alive");
    String target = requestLine[1];
    if (target.startsWith("http://") || target.startsWith("https://")) { // absolute form
      int slash = target.indexOf('/', target.indexOf("//") + 2);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    int query = target.indexOf('?');
    return new ReceiverExchange(
        requestLine[0],
        query < 0 ? target : target.substring(0, query),
        headers,
        length,
        keepAlive && !stopping,
        in,
        out,
        limits.bodyTimeoutMillis);
  }

  /** The body's length, -1 when chunked, -2 when its framing is ambiguous or unknown. */
  private static long framing(Map<String, String> headers) {
    String te = headers.get("transfer-encoding");
    String cl = headers.get("content-length");
    if (te != null) {
      return cl == null && te.equalsIgnoreCase("chunked") ? -1 : -2;
    }
    if (cl == null) {
      return 0;
    }
    try {
      long n = Long.parseLong(cl);
      return n >= 0 ? n : -2;
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  /** The header block up to its empty line, or null when it is over {@link #MAX_HEAD_BYTES}. */
  private static @Nullable String readHead(DeadlineInput in, int first) throws IOException {
    StringBuilder s = new StringBuilder(256);
    int c = first;
    while (true) {
      if (c < 0) {
        throw new IOException("connection closed inside the request header");
      }
      s.append((char) c); // ISO-8859-1, as HTTP/1.1 headers are
      int n = s.length();
      if (c == '\n'
          && (n >= 2 && s.charAt(n - 2) == '\n'
              || n >= 3 && s.charAt(n - 2) == '\r' && s.charAt(n - 3) == '\n')) {
        return s.toString().trim();
      }
      if (n > MAX_HEAD_BYTES) {
        return null;
      }
      c = in.read();
    }
  }

  /** Answers a request that never reached the handler; the connection is closed after. */
  private static void refuse(OutputStream out, int status, String text) throws IOException {
    new ReceiverExchange("GET", "", Map.of("connection", "close"), 0, false, null, out, 0)
        .reply(status, text);
  }

  /**
   * Closes after an answer sent before the body was read: the client may still be sending it, and
   * closing with unread bytes would reset the connection before it reads the answer. So the output
   * is shut first and up to 256 KiB of what still comes is read away for at most a second.
   */
  private static void lingeringClose(Socket socket, DeadlineInput in) {
    try {
      if (!(socket instanceof SSLSocket)) { // SSL sockets cannot half-close
        socket.shutdownOutput();
      }
      in.deadlineIn(1000, "linger");
      byte[] sink = new byte[8192];
      long drained = 0;
      int n;
      while (drained < (256 << 10) && (n = in.read(sink, 0, sink.length)) > 0) {
        drained += n;
      }
    } catch (IOException ignored) {
      // closed below anyway
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the server is stopping: requests still read are to be answered 503. */
  boolean stopping() {
    return stopping;
  }

  /** A served connection, and whether a request on it is under way (read or being handled). */
  private static final class Connection {
    final Socket socket;
    volatile boolean active;

    Connection(Socket socket) {
      this.socket = socket;
    }
  }
}
