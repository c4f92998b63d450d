package io.prombeam.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.Test;
import org.xerial.snappy.Snappy;

/**
 * {@code receive()} with its defaults in a forked JVM with a small heap (128 MiB on the
 * DirectRunner, 384 MiB for embedded Flink), on each runner, under a flood of hostile requests sent
 * at once: 64 MiB declared bodies, bodies streamed past the size limit, snappy bombs, a request of
 * 800,000 tiny series, clients that send half a request line and then nothing, wrong paths, wrong
 * encodings, truncated bodies and requests mixing a valid and an invalid series. Every one must get
 * its HTTP answer (the slow ones a 408 after the header timeout), the JVM must not run out of
 * memory (it exits at the first {@code OutOfMemoryError}), and afterwards valid requests sent
 * together are still taken, each series emitted exactly once. Under each ack mode: the per-runner
 * default is ON_READ on the DirectRunner and on Flink without checkpointing, ON_CHECKPOINT on Flink
 * with checkpointing, where every 204 waits for a completed checkpoint.
 */
@org.junit.runner.RunWith(org.junit.runners.Parameterized.class)
public class ReceiverUnderAttackIT {
  @org.junit.runners.Parameterized.Parameters(name = "{0} {1}")
  public static List<Object[]> runners() {
    return List.of(
        new Object[] {Runners.DIRECT, "ON_READ"},
        new Object[] {Runners.FLINK_LOCAL, "ON_READ"},
        new Object[] {Runners.FLINK_LOCAL, "ON_CHECKPOINT"});
  }

  @org.junit.runners.Parameterized.Parameter(0)
  public String runner;

  /** The ack mode the per-runner default gives: ON_CHECKPOINT when Flink checkpoints. */
  @org.junit.runners.Parameterized.Parameter(1)
  public String ackMode;

  /** The heap the receiver's JVM gets: embedded Flink needs more than the DirectRunner. */
  private String heap() {
    return runner.equals(Runners.DIRECT) ? "128" : "384";
  }

  private static final OkHttpClient HTTP =
      new OkHttpClient.Builder().readTimeout(60, TimeUnit.SECONDS).build();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void awaitListening(int port, Process process) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("the receiver process ended early");
      }
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the receiver never listened on " + port);
  }

  /** The status of the answer to a request of these headers (and no body sent). */
  private static int declaredHuge(int port) throws IOException {
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(30_000);
      raw.getOutputStream()
          .write(
              ("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
                      + "Content-Type: application/x-protobuf\r\nContent-Length: 67108864\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return status(raw.getInputStream());
    }
  }

  /** Streams 64 MiB chunked while reading the answer, which must come before the end. */
  private static int streamedHuge(int port) throws Exception {
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(30_000);
      OutputStream out = raw.getOutputStream();
      out.write(
          ("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
                  + "Content-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      ExecutorService writer = Executors.newSingleThreadExecutor();
      writer.submit(
          () -> {
            byte[] chunk = new byte[1 << 20];
            byte[] header = "100000\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 64; i++) {
              out.write(header);
              out.write(chunk);
              out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            return null;
          });
      try {
        return status(raw.getInputStream());
      } finally {
        writer.shutdownNow();
      }
    }
  }

  /** Half a request line, then nothing: the answer must come when the header time is up. */
  private static int slowHeader(int port) throws IOException {
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(60_000);
      raw.getOutputStream().write("POST /api/v1/wr".getBytes(StandardCharsets.US_ASCII));
      return status(raw.getInputStream());
    }
  }

  /**
   * One request of one new series on a new connection, while the receiver stops: its status, or
   * "gone" when the connection is refused (the receiver has stopped listening), or "dropped" when
   * the connection was accepted and closed without an answer.
   */
  private static String duringStop(int port, int k) {
    byte[] body =
        RemoteWriteCodec.encodeV1Compressed(
            List.of(
                TimeSeries.builder("attack_stop")
                    .label("k", Integer.toString(k))
                    .sample(1000, k)
                    .build()));
    Socket raw;
    try {
      raw = new Socket("127.0.0.1", port);
    } catch (IOException refused) {
      return "gone";
    }
    try (raw) {
      raw.setSoTimeout(60_000);
      OutputStream out = raw.getOutputStream();
      out.write(
          ("POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Encoding: snappy\r\n"
                  + "Content-Type: application/x-protobuf\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return Integer.toString(status(raw.getInputStream()));
    } catch (IOException | RuntimeException e) {
      return "dropped";
    }
  }

  private static int status(InputStream in) throws IOException {
    byte[] line = in.readNBytes(12); // "HTTP/1.1 413"
    return Integer.parseInt(new String(line, StandardCharsets.US_ASCII).substring(9, 12));
  }

  private static int post(int port, byte[] compressed) throws IOException {
    return post(port, "/api/v1/write", "snappy", compressed);
  }

  private static int post(int port, String path, String encoding, byte[] compressed)
      throws IOException {
    Request r =
        new Request.Builder()
            .url("http://127.0.0.1:" + port + path)
            .header("Content-Encoding", encoding)
            .post(RequestBody.create(compressed, MediaType.get("application/x-protobuf")))
            .build();
    try (Response resp = HTTP.newCall(r).execute()) {
      return resp.code();
    }
  }

  /** One valid series (of its own) and one with an invalid metric name. */
  private static byte[] mixed(int k) {
    return RemoteWriteCodec.encodeV1Compressed(
        List.of(
            TimeSeries.builder("attack_mixed")
                .label("k", Integer.toString(k))
                .sample(1000, k)
                .build(),
            TimeSeries.builder("bad-name")
                .label("k", Integer.toString(k))
                .sample(1000, k)
                .build()));
  }

  /** 800,000 series of one label and no sample: 1.6 MB compressed into ~11 MB. */
  private static byte[] manyTinySeries() {
    PrometheusRemote.WriteRequest.Builder req = PrometheusRemote.WriteRequest.newBuilder();
    PrometheusRemote.TimeSeries one =
        PrometheusRemote.TimeSeries.newBuilder()
            .addLabels(PrometheusRemote.Label.newBuilder().setName("a").setValue("b"))
            .build();
    for (int i = 0; i < 800_000; i++) {
      req.addTimeseries(one);
    }
    return RemoteWriteCodec.compress(req.build().toByteArray());
  }

  @Test
  public void aSmallHeapReceiverAnswersEveryAttackAndStillTakesValidData() throws Exception {
    int port = freePort();
    Path log = Files.createTempFile("receiver", ".log");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap() + "m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                ReceiverProcess.class.getName(),
                Integer.toString(port),
                "30",
                runner));
    if (ackMode.equals("ON_CHECKPOINT")) { // the default ack mode once Flink checkpoints
      command.addAll(List.of("--checkpointingInterval=500", "--streaming=true"));
    }
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      awaitListening(port, process);
      byte[] bomb = Snappy.compress(new byte[31 << 20]); // 1.5 MB inflating to 31 MiB
      byte[] tiny = manyTinySeries();
      byte[] ok = mixed(99); // any valid body: refused for its path or encoding before it is read
      byte[] whole = mixed(98);
      byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
      ExecutorService attackers = Executors.newFixedThreadPool(40);
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        answers.add(attackers.submit(() -> "declared " + declaredHuge(port)));
        answers.add(attackers.submit(() -> "streamed " + streamedHuge(port)));
        answers.add(attackers.submit(() -> "bomb " + post(port, bomb)));
        answers.add(attackers.submit(() -> "tiny " + post(port, tiny)));
        answers.add(attackers.submit(() -> "slow " + slowHeader(port)));
        answers.add(attackers.submit(() -> "slow " + slowHeader(port)));
        answers.add(attackers.submit(() -> "path " + post(port, "/api/v1/writeX", "snappy", ok)));
        answers.add(attackers.submit(() -> "encoding " + post(port, "/api/v1/write", "gzip", ok)));
        answers.add(attackers.submit(() -> "truncated " + post(port, truncated)));
        int k = i;
        answers.add(attackers.submit(() -> "mixed " + post(port, mixed(k))));
      }
      Set<String> seen = Collections.synchronizedSet(new TreeSet<>());
      int mixedTaken = 0;
      for (Future<String> f : answers) {
        String answer = f.get(120, TimeUnit.SECONDS);
        seen.add(answer);
        mixedTaken += answer.equals("mixed 400") ? 1 : 0;
      }
      attackers.shutdown();
      for (String answer : seen) {
        String status = answer.substring(answer.indexOf(' ') + 1);
        switch (answer.substring(0, answer.indexOf(' '))) {
          case "declared": // refused from its headers, whatever else is going on
            assertEquals(answer, "413", status);
            break;
          case "streamed": // over the size limit, or over the in-flight budget first
          case "tiny": // over the series limit, or waiting for the budget
            assertTrue(answer, status.equals("413") || status.equals("503"));
            break;
          case "slow": // out of time for its header
            assertEquals(answer, "408", status);
            break;
          case "path": // anything but the exact path
            assertEquals(answer, "404", status);
            break;
          case "encoding": // not snappy
            assertEquals(answer, "415", status);
            break;
          case "truncated": // a snappy block cut short, or waiting for the budget
            assertTrue(answer, status.equals("400") || status.equals("503"));
            break;
          case "mixed": // the valid series taken, the invalid named; or waiting for the budget
            assertTrue(answer, status.equals("400") || status.equals("503"));
            break;
          default: // the bomb decodes within the limit but is no WriteRequest, or waits its turn
            assertTrue(answer, status.equals("400") || status.equals("503"));
        }
      }
      assertTrue("the receiver survived the flood", process.isAlive());

      // valid data afterwards: 20 requests of 100 series sent together, each acknowledged once
      ExecutorService senders = Executors.newFixedThreadPool(20);
      List<Future<Integer>> acks = new ArrayList<>();
      for (int r = 0; r < 20; r++) {
        List<TimeSeries> series = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          series.add(
              TimeSeries.builder("attack_after")
                  .label("r", Integer.toString(r))
                  .label("i", Integer.toString(i))
                  .sample(1000, i)
                  .build());
        }
        byte[] body = RemoteWriteCodec.encodeV1Compressed(series);
        acks.add(senders.submit(() -> post(port, body)));
      }
      for (Future<Integer> ack : acks) {
        assertEquals(204, (int) ack.get(60, TimeUnit.SECONDS));
      }
      senders.shutdown();

      // the source stops (withStopAfter) while senders keep coming, one new series every 100 ms:
      // each is answered (204 when read in time, 503 once nobody reads), until the port closes
      ExecutorService late = Executors.newCachedThreadPool();
      List<Future<String>> lateAnswers = new ArrayList<>();
      for (int k = 0; process.isAlive() && k < 1200; k++) {
        int key = k;
        lateAnswers.add(late.submit(() -> duringStop(port, key)));
        Thread.sleep(100);
        if (lateAnswers.size() > 20
            && lateAnswers.get(lateAnswers.size() - 20).isDone()
            && lateAnswers.get(lateAnswers.size() - 20).get().equals("gone")) {
          break;
        }
      }
      java.util.Map<String, Integer> lateCounts = new java.util.TreeMap<>();
      for (Future<String> f : lateAnswers) {
        lateCounts.merge(f.get(120, TimeUnit.SECONDS), 1, Integer::sum);
      }
      late.shutdown();
      System.out.println(runner + " " + ackMode + " senders during the stop: " + lateCounts);
      assertEquals(lateCounts.toString(), null, lateCounts.get("dropped"));
      // the senders kept coming until the receiver went away (its port closed or its JVM ended)
      assertTrue("the receiver stopped: " + lateCounts, lateAnswers.size() < 1200);
      assertTrue("the run ends", process.waitFor(120, TimeUnit.SECONDS));
      String out = Files.readString(log);
      assertEquals(out, 0, process.exitValue());
      // nothing twice, every 204 emitted; a 503 may have been emitted (at-least-once: the sender
      // would send it again), but only the ones the stop answered
      java.util.regex.Matcher emitted =
          java.util.regex.Pattern.compile("EMITTED (\\d+) DISTINCT (\\d+)").matcher(out);
      assertTrue(out, emitted.find());
      int n = Integer.parseInt(emitted.group(1));
      assertEquals("emitted twice", n, Integer.parseInt(emitted.group(2)));
      int acked = 2000 + lateCounts.getOrDefault("204", 0) + mixedTaken;
      assertTrue(n + " emitted, " + acked + " acknowledged", n >= acked);
      assertTrue(
          n + " emitted, more than answered", n <= acked + lateCounts.getOrDefault("503", 0));
      java.util.regex.Matcher heap =
          java.util.regex.Pattern.compile("MAX_HEAP_MB (\\d+)").matcher(out);
      assertTrue(out, heap.find() && Integer.parseInt(heap.group(1)) <= Integer.parseInt(heap()));
      System.out.println(runner + " " + ackMode + " attack answers: " + seen);
    } finally {
      process.destroyForcibly();
    }
  }
}
