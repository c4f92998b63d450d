package io.prombeam.bench;

import com.sun.net.httpserver.HttpServer;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback remote-write receiver for benchmarks (1.0 and 2.0), run as its own process: decodes
 * every request fully (snappy + protobuf, as a real receiver must) and counts requests, samples and
 * bytes. {@code GET /stats} answers "requests samples bytes firstMillis lastMillis", the wall-clock
 * times of the first and the latest request since {@code GET /reset}, then (with {@code track}) the
 * samples that were not newer than their series' newest stored one (what Prometheus would refuse as
 * out of order), and the p50 and p99 of receive time minus sample timestamp in ms. Usage: {@code
 * CountingReceiver <port> [delayMillis] [track]}.
 */
public final class CountingReceiver {
  private CountingReceiver() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    // optional: answer each write only after this many ms (a slow receiver)
    long delayMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
    SeriesOrder order = args.length > 2 && args[2].equals("track") ? new SeriesOrder() : null;
    AtomicLong requests = new AtomicLong();
    AtomicLong samples = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.createContext(
        "/api/v1/write",
        ex -> {
          if (delayMillis > 0) {
            try {
              Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] body = ex.getRequestBody().readAllBytes();
          try {
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            boolean v2 = type != null && type.contains("io.prometheus.write.v2.Request");
            List<TimeSeries> series =
                v2
                    ? RemoteWriteCodec.decodeV2Request(body)
                    : RemoteWriteCodec.decodeWriteRequest(body);
            long n = 0;
            long now0 = System.currentTimeMillis();
            for (TimeSeries ts : series) {
              n += ts.sampleCount();
              if (order != null) {
                order.record(ts, now0);
              }
            }
            samples.addAndGet(n);
            bytes.addAndGet(body.length);
            requests.incrementAndGet();
            long now = System.currentTimeMillis();
            first.compareAndSet(0, now);
            last.accumulateAndGet(now, Math::max);
            if (v2) { // what 2.0 senders read as the written count
              ex.getResponseHeaders().set("X-Prometheus-Remote-Write-Samples-Written", "" + n);
            }
            ex.sendResponseHeaders(204, -1);
          } catch (IOException | RuntimeException e) {
            byte[] msg = e.toString().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(400, msg.length);
            ex.getResponseBody().write(msg);
          }
          ex.close();
        });
    server.createContext(
        "/stats",
        ex -> {
          byte[] msg =
              (requests.get()
                      + " "
                      + samples.get()
                      + " "
                      + bytes.get()
                      + " "
                      + first.get()
                      + " "
                      + last.get()
                      + (order == null ? "" : " " + order.stats()))
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, msg.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(msg);
          }
        });
    server.createContext(
        "/reset",
        ex -> {
          requests.set(0);
          samples.set(0);
          bytes.set(0);
          first.set(0);
          last.set(0);
          if (order != null) {
            order.reset();
          }
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    System.out.println("CountingReceiver listening on 127.0.0.1:" + port);
  }

  /**
   * Per series (by a 64-bit hash of its labels) the newest timestamp received, and a histogram of
   * delivery latency (receive time minus sample timestamp) in ms.
   */
  static final class SeriesOrder {
    private static final int MAX_LATENCY_MS = 600_000;
    private final java.util.concurrent.ConcurrentHashMap<Long, Long> newest =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLongArray latency =
        new java.util.concurrent.atomic.AtomicLongArray(MAX_LATENCY_MS + 1);
    private final AtomicLong outOfOrder = new AtomicLong();

    void record(TimeSeries ts, long now) {
      long key = hash(ts);
      for (int i = 0; i < ts.sampleCount(); i++) {
        long t = ts.timestamp(i);
        boolean[] old = new boolean[1];
        newest.compute(
            key,
            (k, v) -> {
              old[0] = v != null && t <= v;
              return old[0] ? v : t;
            });
        if (old[0]) {
          outOfOrder.incrementAndGet();
        }
        latency.incrementAndGet((int) Math.max(0, Math.min(MAX_LATENCY_MS, now - t)));
      }
    }

    private static long hash(TimeSeries ts) {
      long h = 0xcbf29ce484222325L;
      for (int i = 0; i < ts.labels().size(); i++) {
        for (String s : new String[] {ts.labels().name(i), ts.labels().value(i)}) {
          for (int c = 0; c < s.length(); c++) {
            h = (h ^ s.charAt(c)) * 0x100000001b3L;
          }
          h = (h ^ 0xff) * 0x100000001b3L;
        }
      }
      return h;
    }

    String stats() {
      long total = 0;
      for (int i = 0; i <= MAX_LATENCY_MS; i++) {
        total += latency.get(i);
      }
      return outOfOrder.get() + " " + percentile(total, 0.50) + " " + percentile(total, 0.99);
    }

    private long percentile(long total, double q) {
      long rank = (long) Math.ceil(total * q);
      long seen = 0;
      for (int i = 0; i <= MAX_LATENCY_MS; i++) {
        seen += latency.get(i);
        if (seen >= rank && rank > 0) {
          return i;
        }
      }
      return 0;
    }

    void reset() {
      newest.clear();
      outOfOrder.set(0);
      for (int i = 0; i <= MAX_LATENCY_MS; i++) {
        latency.set(i, 0);
      }
    }
  }
}
