package io.prombeam.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.RemoteWriteCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The listening socket and its queue, shared by the readers of one host:port in this JVM: runners
 * close and re-create readers (DirectRunner does so on purpose, to test resumption), and the socket
 * and the requests already queued must outlive that. Stopped a grace period after its last reader
 * closed.
 *
 * <p>No JVM-wide setting is touched: a 204 answer leaves in one write, so Nagle's algorithm does
 * not hold it back (measured: 8-13 ms per sequential request with and without {@code
 * sun.net.httpserver.nodelay}, the time being the pipeline's read, not the socket).
 */
final class ReceiverServer {
  private static final java.util.Map<String, ReceiverServer> OPEN = new java.util.HashMap<>();
  private static final java.util.concurrent.ScheduledExecutorService STOPPER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "prombeam-receiver-stopper");
            t.setDaemon(true);
            return t;
          });

  final RemoteWriteReceiverSource source;
  final BlockingQueue<PendingRequest> queue;

  /** Unread rests of requests whose reader was closed mid-way: read before anything queued. */
  final java.util.Deque<PendingRequest> resumed =
      new java.util.concurrent.ConcurrentLinkedDeque<>();

  final HttpServer server;
  private int readers;

  private ReceiverServer(RemoteWriteReceiverSource source) throws IOException {
    // Small 204 answers must not wait for the sender's delayed ACK (~40 ms a request).
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    this.source = source;
    this.queue = new ArrayBlockingQueue<>(source.maxQueuedRequests);
    this.server = HttpServer.create(new InetSocketAddress(source.host, source.port), 64);
    server.createContext(source.path, this::handle);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "prombeam-receiver");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    RemoteWriteReceiverSource.LOG.info(
        "remote-write receiver listening on {}:{}{}",
        source.host,
        server.getAddress().getPort(),
        source.path);
  }

  static synchronized ReceiverServer attach(RemoteWriteReceiverSource source) throws IOException {
    String key = source.host + ":" + source.port + source.path;
    ReceiverServer e = OPEN.get(key);
    if (e == null) {
      e = new ReceiverServer(source);
      OPEN.put(key, e);
    }
    e.readers++;
    return e;
  }

  void detach() {
    synchronized (ReceiverServer.class) {
      readers--;
    }
    STOPPER.schedule(
        () -> {
          synchronized (ReceiverServer.class) {
            if (readers == 0
                && OPEN.remove(source.host + ":" + source.port + source.path) == this) {
              server.stop(0);
              for (PendingRequest p : resumed) {
                p.abort();
                p.acked.countDown();
              }
              for (PendingRequest p : queue) {
                p.abort();
                p.acked.countDown();
              }
              RemoteWriteReceiverSource.LOG.info(
                  "remote-write receiver on port {} stopped", source.port);
            }
          }
        },
        5,
        TimeUnit.SECONDS);
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      if (!"POST".equals(ex.getRequestMethod())) {
        reply(ex, 405, "only POST");
        return;
      }
      byte[] body = ex.getRequestBody().readAllBytes();
      List<TimeSeries> series;
      try {
        series = RemoteWriteCodec.decodeWriteRequest(body);
      } catch (IOException | RuntimeException e) {
        reply(ex, 400, "cannot decode remote-write request: " + e.getMessage());
        return;
      }
      for (TimeSeries ts : series) {
        Optional<SeriesViolation> v = RemoteWriteReceiverSource.ANY_TIMESTAMP.validate(ts);
        if (v.isPresent()) {
          reply(ex, 400, v.get().message());
          return;
        }
      }
      PendingRequest p = new PendingRequest(series);
      if (!queue.offer(p)) {
        reply(ex, 503, "receiver overloaded: " + source.maxQueuedRequests + " requests queued");
        return;
      }
      if (p.acked.await(source.ackTimeout.getMillis(), TimeUnit.MILLISECONDS) && !p.aborted()) {
        reply(ex, 204, "");
      } else {
        p.abort();
        reply(ex, 503, "not acknowledged by the pipeline within " + source.ackTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(ex, 503, "receiver shutting down");
    }
  }

  private static void reply(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (b.length == 0) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
    }
    ex.close();
  }
}
