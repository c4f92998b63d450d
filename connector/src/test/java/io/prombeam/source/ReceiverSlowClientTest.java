package io.prombeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import io.prombeam.model.TimeSeries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/**
 * {@code receive()} against clients that are slow or hold connections, over raw sockets: each gets
 * its answer or is disconnected within the receiver's time limits, and none of them keeps a
 * well-behaved sender from being served.
 */
public class ReceiverSlowClientTest {
  private static final long IDLE = 1500;
  private static final long HEADER = 1000;
  private static final long BODY = 1000;

  private ReceiverHarness receiver;
  private final List<Socket> sockets = new ArrayList<>();

  @After
  public void close() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private void start(int maxConnections) throws Exception {
    receiver =
        new ReceiverHarness(
            ReceiverSourceTest.limits().withConnections(IDLE, HEADER, BODY, maxConnections),
            AckMode.ON_READ);
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", receiver.port);
    s.setSoTimeout(10_000);
    sockets.add(s);
    return s;
  }

  private static String head(String path, long contentLength, String... extra) {
    StringBuilder h =
        new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .append("Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n");
    if (contentLength >= 0) {
      h.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    for (String e : extra) {
      h.append(e).append("\r\n");
    }
    return h.append("\r\n").toString();
  }

  /** The status line and headers of the next answer on {@code s}, its body skipped. */
  private static String answer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      String text = b.toString(StandardCharsets.ISO_8859_1);
      if (text.endsWith("\r\n\r\n")) {
        int at = text.indexOf("Content-Length: ");
        if (at >= 0) {
          int n = Integer.parseInt(text.substring(at + 16, text.indexOf("\r\n", at)).trim());
          in.readNBytes(n);
        }
        return text;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean closedByPeer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() < 0;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Test
  public void aHeaderTrickledByteByByteIs408AndDisconnected() throws Exception {
    start(16);
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    byte[] header = head("/api/v1/write", 10).getBytes(StandardCharsets.US_ASCII);
    long t0 = System.currentTimeMillis();
    String answer = null;
    try {
      for (byte b : header) { // one byte every 100 ms: ~12 s for the whole header
        out.write(b);
        out.flush();
        Thread.sleep(100);
        if (s.getInputStream().available() > 0) {
          break;
        }
      }
    } catch (IOException closed) {
      // the receiver may close while we still write
    }
    answer = answer(s);
    assertThat(answer, startsWith("HTTP/1.1 408 "));
    assertThat(answer, containsString("Connection: close"));
    assertThat(System.currentTimeMillis() - t0, lessThan(HEADER + 2000));
    assertEquals(true, closedByPeer(s));
  }

  @Test
  public void aBodyThatStallsIs408AndNothingOfItIsTaken() throws Exception {
    start(16);
    byte[] body = ReceiverHostileClientTest.request(List.of(ReceiverHostileClientTest.series(1)));
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    out.write(head("/api/v1/write", body.length).getBytes(StandardCharsets.US_ASCII));
    out.write(body, 0, body.length / 2); // and then nothing more
    out.flush();
    long t0 = System.currentTimeMillis();
    String answer = answer(s);
    assertThat(answer, startsWith("HTTP/1.1 408 "));
    assertThat(answer, containsString("Connection: close"));
    assertThat(System.currentTimeMillis() - t0, lessThan(BODY + 2000));
    assertEquals(List.of(), receiver.drain(300));
  }

  @Test
  public void truncatedBodiesAreRefusedAndNothingOfThemIsTaken() throws Exception {
    start(16);
    List<TimeSeries> series = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      series.add(ReceiverHostileClientTest.series(i));
    }
    byte[] whole = ReceiverHostileClientTest.request(series);
    // a snappy block cut short, sent with its true length: the block does not decode
    byte[] cutBlock = java.util.Arrays.copyOf(whole, whole.length / 2);
    Socket a = connect();
    a.getOutputStream()
        .write(head("/api/v1/write", cutBlock.length).getBytes(StandardCharsets.US_ASCII));
    a.getOutputStream().write(cutBlock);
    assertThat(answer(a), startsWith("HTTP/1.1 400 "));
    // a protobuf message cut short, in a whole snappy block: the message does not parse
    byte[] proto = org.xerial.snappy.Snappy.uncompress(whole);
    byte[] cutProto =
        org.xerial.snappy.Snappy.compress(java.util.Arrays.copyOf(proto, proto.length - 7));
    Socket b = connect();
    b.getOutputStream()
        .write(head("/api/v1/write", cutProto.length).getBytes(StandardCharsets.US_ASCII));
    b.getOutputStream().write(cutProto);
    assertThat(answer(b), startsWith("HTTP/1.1 400 "));
    // a client that leaves in the middle of its body: no one to answer, nothing taken
    Socket c = connect();
    c.getOutputStream()
        .write(head("/api/v1/write", whole.length).getBytes(StandardCharsets.US_ASCII));
    c.getOutputStream().write(whole, 0, whole.length / 2);
    c.close();
    assertEquals(List.of(), receiver.drain(500));
  }

  @Test
  public void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start(16);
    Socket s = connect();
    long t0 = System.currentTimeMillis();
    assertEquals(true, closedByPeer(s));
    long waited = System.currentTimeMillis() - t0;
    assertThat(waited, lessThan(IDLE + 2000));
    assertThat("closed too early: " + waited, IDLE - 200, lessThan(waited));
  }

  @Test
  public void oneConnectionCarriesManyRequestsChunkedAndExpectContinueToo() throws Exception {
    start(16);
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    List<TimeSeries> sent = new ArrayList<>();
    List<TimeSeries> received = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // keep-alive: three requests, one connection
      TimeSeries series = ReceiverHostileClientTest.series(i);
      sent.add(series);
      byte[] body = ReceiverHostileClientTest.request(List.of(series));
      out.write(head("/api/v1/write", body.length).getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      received.addAll(receiver.drain(300)); // read, so acknowledged (ON_READ)
      assertThat(answer(s), startsWith("HTTP/1.1 204 "));
    }
    // chunked, in two chunks, after asking for 100 Continue
    TimeSeries chunkedSeries = ReceiverHostileClientTest.series(9);
    sent.add(chunkedSeries);
    byte[] body = ReceiverHostileClientTest.request(List.of(chunkedSeries));
    out.write(
        head("/api/v1/write", -1, "Transfer-Encoding: chunked", "Expect: 100-continue")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    assertThat(answer(s), startsWith("HTTP/1.1 100 "));
    int half = body.length / 2;
    out.write((Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body, 0, half);
    out.write(
        ("\r\n" + Integer.toHexString(body.length - half) + ";ext=1\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body, half, body.length - half);
    out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    received.addAll(receiver.drain(300));
    assertThat(answer(s), startsWith("HTTP/1.1 204 "));
    assertEquals(sent, received);
    // a broken chunk size is a 400, and the connection is not reused
    out.write(
        head("/api/v1/write", -1, "Transfer-Encoding: chunked")
            .getBytes(StandardCharsets.US_ASCII));
    out.write("zz\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String broken = answer(s);
    assertThat(broken, startsWith("HTTP/1.1 400 "));
    assertThat(broken, containsString("Connection: close"));
    assertEquals(List.of(), receiver.drain(300));
  }

  @Test
  public void ambiguousFramingAndOversizeHeadersAreRefused() throws Exception {
    start(16);
    Socket both = connect();
    both.getOutputStream()
        .write(
            head("/api/v1/write", 5, "Transfer-Encoding: chunked")
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(answer(both), startsWith("HTTP/1.1 400 "));
    Socket huge = connect();
    huge.getOutputStream()
        .write(
            head("/api/v1/write", 0, "X-Pad: " + "a".repeat(70_000))
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(answer(huge), startsWith("HTTP/1.1 431 "));
    Socket spaced = connect();
    spaced
        .getOutputStream()
        .write(
            "POST /api/v1/write HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello"
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(answer(spaced), startsWith("HTTP/1.1 400 "));
    Socket notHttp = connect();
    notHttp.getOutputStream().write("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(answer(notHttp), startsWith("HTTP/1.1 400 "));
  }

  @Test
  public void slowClientsHoldingEveryConnectionDoNotStopTheReceiverForLong() throws Exception {
    start(4);
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // every slot taken by a client that sent half a request line
      Socket s = connect();
      s.getOutputStream().write("POST /api/v1/wr".getBytes(StandardCharsets.US_ASCII));
      slow.add(s);
    }
    Thread.sleep(200);
    Socket refused = connect(); // one more: 503 at once
    String busy = answer(refused);
    assertThat(busy, startsWith("HTTP/1.1 503 "));
    assertThat(busy, containsString("Retry-After: 1"));
    Thread.sleep(HEADER + 500); // the slow ones time out and free their slots
    for (Socket s : slow) {
      assertThat(answer(s), startsWith("HTTP/1.1 408 "));
    }
    byte[] body = ReceiverHostileClientTest.request(List.of(ReceiverHostileClientTest.series(5)));
    Socket fine = connect();
    fine.getOutputStream()
        .write(head("/api/v1/write", body.length).getBytes(StandardCharsets.US_ASCII));
    fine.getOutputStream().write(body);
    assertEquals(List.of(ReceiverHostileClientTest.series(5)), receiver.drain(300));
    assertThat(answer(fine), startsWith("HTTP/1.1 204 "));
  }
}
