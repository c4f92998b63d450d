package io.prombeam.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A connection's buffered input where every read must finish before a deadline: the socket's read
 * timeout is set to the time left before each refill, so a client that trickles one byte a second
 * still runs out of time, which a plain per-read timeout would never see.
 */
final class DeadlineInput {
  /** No deadline. */
  static final long NONE = Long.MAX_VALUE;

  /** The client did not send what was due within its time: answered 408 or closed. */
  static final class ReadTimeout extends IOException {
    private static final long serialVersionUID = 1L;

    ReadTimeout(String what) {
      super(what);
    }
  }

  private final Socket socket;
  private final InputStream raw;
  private final byte[] buf = new byte[16 << 10];
  private int pos;
  private int limit;
  private long deadline = NONE;
  private String due = "";

  DeadlineInput(Socket socket) throws IOException {
    this.socket = socket;
    this.raw = socket.getInputStream();
  }

  /** From now on, reads fail with {@link ReadTimeout} naming {@code what} after {@code millis}. */
  void deadlineIn(long millis, String what) {
    this.deadline = millis <= 0 ? NONE : System.currentTimeMillis() + millis;
    this.due = what;
  }

  /** Whether bytes are buffered, so a read returns without touching the socket. */
  boolean hasBuffered() {
    return pos < limit;
  }

  /** The next byte, or -1 at the end of the stream. */
  int read() throws IOException {
    if (pos == limit && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  /** Up to {@code len} bytes into {@code b}, or -1 at the end of the stream. */
  int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (pos == limit && !fill()) {
      return -1;
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean fill() throws IOException {
    int timeout = 0; // the socket's "no timeout"
    if (deadline != NONE) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new ReadTimeout(due);
      }
      timeout = (int) Math.min(left, Integer.MAX_VALUE);
    }
    socket.setSoTimeout(timeout);
    int n;
    try {
      n = raw.read(buf);
    } catch (SocketTimeoutException e) {
      throw new ReadTimeout(due);
    }
    if (n < 0) {
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }
}
