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
 * A loopback remote-write receiver for benchmarks, run as its own process: decodes every request
 * fully (snappy + protobuf, as a real receiver must) and counts requests, samples and bytes.
 * {@code GET /stats} answers "requests samples bytes firstMillis lastMillis", the wall-clock times of
 * the first and the latest request since {@code GET /reset}. Usage: {@code CountingReceiver <port> [delayMillis]}.
 */
public final class CountingReceiver {
  private CountingReceiver() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    // optional: answer each write only after this many ms (a slow receiver)
    long delayMillis = args.length > 1 ? Long.parseLong(args[1]) : 0;
    AtomicLong requests = new AtomicLong();
    AtomicLong samples = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
    server.createContext("/api/v1/write", ex -> {
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      try {
        List<TimeSeries> series = RemoteWriteCodec.decodeWriteRequest(body);
        long n = 0;
        for (TimeSeries ts : series) {
          n += ts.sampleCount();
        }
        samples.addAndGet(n);
        bytes.addAndGet(body.length);
        requests.incrementAndGet();
        long now = System.currentTimeMillis();
        first.compareAndSet(0, now);
        last.accumulateAndGet(now, Math::max);
        ex.sendResponseHeaders(204, -1);
      } catch (IOException | RuntimeException e) {
        byte[] msg = e.toString().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(400, msg.length);
        ex.getResponseBody().write(msg);
      }
      ex.close();
    });
    server.createContext("/stats", ex -> {
      byte[] msg =
          (requests.get() + " " + samples.get() + " " + bytes.get() + " " + first.get() + " " + last.get())
              .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, msg.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(msg);
      }
    });
    server.createContext("/reset", ex -> {
      requests.set(0);
      samples.set(0);
      bytes.set(0);
      first.set(0);
      last.set(0);
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    System.out.println("CountingReceiver listening on 127.0.0.1:" + port);
  }
}
