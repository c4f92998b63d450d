package io.prombeam.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.xerial.snappy.Snappy;

/**
 * The listening socket and its queue, shared by the readers of one host:port in this JVM: runners
 * close and re-create readers (DirectRunner does so on purpose, to test resumption), and the socket
 * and the requests already queued must outlive that. Stopped a grace period after its last reader
 * closed. No JVM-wide setting is touched: the HTTP server is {@link ReceiverHttpServer}, whose time
 * limits and socket options are its own.
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

  final ReceiverHttpServer server;
  private int readers;
  private volatile boolean stopping;
  private volatile boolean intakeClosed;

  /** Requests whose senders wait for their answer, answered 503 when the server stops. */
  private final java.util.Set<PendingRequest> waiting =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final java.util.concurrent.atomic.AtomicLong inFlightBytes =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * The in-flight bound in force: the configured one, but never more than a quarter of this JVM's
   * heap, whatever it was configured to on a larger machine. A request alone is always let in (it
   * passed the per-request limits), so a large one cannot be refused forever.
   */
  private final long inFlightLimit;

  /** What the handler threads saw; the reader turns it into Beam counters. */
  final ReceiverStats stats = new ReceiverStats();

  /** When this server started: a source's {@code stopAfter} counts from here. */
  final long startedAt = System.currentTimeMillis();

  private ReceiverServer(RemoteWriteReceiverSource source) throws IOException {
    this.source = source;
    this.inFlightLimit =
        Math.min(source.limits.maxInFlightBytes, Runtime.getRuntime().maxMemory() / 4);
    this.queue = new ArrayBlockingQueue<>(source.maxQueuedRequests);
    ReceiverLimits limits = source.limits;
    this.server =
        new ReceiverHttpServer(
            source.host,
            source.port,
            limits.tlsCertFile == null
                ? null
                : ServerCertificate.sslContext(limits.tlsCertFile, limits.tlsKeyFile),
            limits,
            this::handle);
    RemoteWriteReceiverSource.LOG.info(
        "remote-write receiver listening on {}:{}{}", source.host, server.port(), source.path);
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

  /**
   * A reader is done with this server. When it was the last: at once if the source has {@code
   * finished} (nothing will read again), else after a grace period in which a runner may open a new
   * reader (DirectRunner does so all the time).
   */
  void detach(boolean finished) {
    synchronized (ReceiverServer.class) {
      readers--;
    }
    STOPPER.schedule(
        () -> {
          synchronized (ReceiverServer.class) {
            if (readers == 0) {
              stop();
            }
          }
        },
        finished ? 0 : 5,
        TimeUnit.SECONDS);
  }

  /**
   * From now on new requests are answered 503 ({@code Retry-After}); those already queued are still
   * read. The source calls it when its run time is up, so that senders cannot keep it from ending.
   */
  void closeIntake() {
    intakeClosed = true;
  }

  /**
   * Every sender still waiting is answered 503 and the server closes, after giving those answers up
   * to 2 s to leave. Called when the last reader is gone, and when the JVM shuts down (a job ending
   * or cancelled with the JVM), so no sender's connection is dropped unanswered.
   */
  private void stop() {
    synchronized (ReceiverServer.class) {
      if (OPEN.get(key()) == this) {
        OPEN.remove(key());
      }
      if (stopping) {
        return;
      }
      stopping = true;
    }
    for (PendingRequest p : waiting) {
      p.abort();
      p.acked.countDown();
    }
    server.stop(2000);
    RemoteWriteReceiverSource.LOG.info("remote-write receiver on port {} stopped", server.port());
  }

  private String key() {
    return source.host + ":" + source.port + source.path;
  }

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  java.util.List<ReceiverServer> open;
                  synchronized (ReceiverServer.class) {
                    open = new java.util.ArrayList<>(OPEN.values());
                  }
                  open.forEach(ReceiverServer::stop);
                },
                "prombeam-receiver-shutdown"));
  }

  /**
   * Every request gets an answer: a body too slow is a 408, a broken chunked framing a 400, and
   * whatever else goes wrong in handling it a 500.
   */
  private void handle(ReceiverExchange ex) throws IOException {
    try {
      handleChecked(ex);
    } catch (DeadlineInput.ReadTimeout | ReceiverExchange.MalformedBody e) {
      stats.refused.incrementAndGet();
      if (!ex.replied()) {
        reply(ex, e instanceof DeadlineInput.ReadTimeout ? 408 : 400, e.getMessage());
      }
    } catch (Throwable t) { // an Error too: the sender must not wait for its own timeout
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (ex.replied()) {
        throw new IOException("failed after answering", t);
      }
      RemoteWriteReceiverSource.LOG.warn("remote-write receiver failed handling a request", t);
      reply(ex, 500, "receiver error: " + t.getClass().getSimpleName());
    }
  }

  private void handleChecked(ReceiverExchange ex) throws IOException, InterruptedException {
    ReceiverLimits limits = source.limits;
    if (stopping || intakeClosed) { // nobody will read it: try again, elsewhere or later
      ex.setResponseHeader("Retry-After", "1");
      reply(ex, 503, "receiver shutting down");
      return;
    }
    if (!ex.rawPath().equals(source.path)) {
      reply(ex, 404, "not found: remote write is received at " + source.path);
      return;
    }
    if (!"POST".equals(ex.method())) {
      ex.setResponseHeader("Allow", "POST");
      reply(ex, 405, "only POST");
      return;
    }
    if (!ReceiverAuth.allows(limits, ex.header("Authorization"))) {
      ex.setResponseHeader(
          "WWW-Authenticate", limits.bearerToken != null ? "Bearer" : "Basic realm=\"prombeam\"");
      stats.refused.incrementAndGet();
      reply(ex, 401, "unauthorized");
      return;
    }
    String unsupported = unsupportedMediaType(ex);
    if (unsupported != null) {
      stats.refused.incrementAndGet();
      reply(ex, 415, unsupported);
      return;
    }
    String declared = ex.header("Content-Length");
    if (declared != null && parseLong(declared) > limits.maxRequestBytes) {
      stats.refused.incrementAndGet();
      reply(ex, 413, "body of " + declared + " bytes over the limit of " + limits.maxRequestBytes);
      return;
    }
    // Every byte held for a request, read or decoded, is reserved against the in-flight budget
    // before it is taken: a flood of large bodies gets 503s, never more memory.
    long[] reserved = {0};
    try {
      byte[] body = readAtMost(ex.body(), limits.maxRequestBytes, reserved);
      if (body == BUSY) {
        busy(ex);
        return;
      }
      if (body == null) {
        stats.refused.incrementAndGet();
        reply(ex, 413, "body over the limit of " + limits.maxRequestBytes + " bytes");
        return;
      }
      int decoded;
      try {
        decoded = Snappy.uncompressedLength(body);
      } catch (IOException | RuntimeException e) {
        stats.refused.incrementAndGet();
        reply(ex, 400, "not a snappy block: " + e.getMessage());
        return;
      }
      if (decoded > limits.maxDecodedBytes) {
        stats.refused.incrementAndGet();
        reply(
            ex,
            413,
            "body decodes to " + decoded + " bytes, over the limit of " + limits.maxDecodedBytes);
        return;
      }
      if (!reserve(decoded, reserved)) {
        busy(ex);
        return;
      }
      receive(ex, body, limits, isV2(ex));
    } finally {
      inFlightBytes.addAndGet(-reserved[0]);
    }
  }

  /** A body read past the in-flight budget: answered 503, not an oversize. */
  private static final byte[] BUSY = new byte[0];

  /**
   * Reserves {@code n} more bytes for the request holding {@code reserved[0]} already: refused when
   * the budget would be passed, unless this request is the only one holding any, so that a request
   * within the per-request limits is never refused forever.
   */
  private boolean reserve(long n, long[] reserved) {
    long total = inFlightBytes.addAndGet(n);
    reserved[0] += n;
    return total <= inFlightLimit || total == reserved[0];
  }

  private void busy(ReceiverExchange ex) throws IOException {
    stats.refused.incrementAndGet();
    ex.setResponseHeader("Retry-After", "1");
    reply(ex, 503, "receiver busy: " + inFlightLimit + " bytes in flight");
  }

  /** Decodes, keeps the valid series, waits for them to be safe and answers. */
  private void receive(ReceiverExchange ex, byte[] body, ReceiverLimits limits, boolean v2)
      throws IOException, InterruptedException {
    ReceivedRequest request;
    try {
      request = ReceivedRequest.decode(body, limits.maxSeriesPerRequest, v2);
    } catch (ReceivedRequest.TooManySeries e) {
      stats.refused.incrementAndGet();
      reply(ex, 413, e.getMessage());
      return;
    } catch (IOException | RuntimeException e) {
      stats.refused.incrementAndGet();
      reply(ex, 400, "cannot decode remote-write request: " + e.getMessage());
      return;
    }
    stats.seriesInvalid.addAndGet(request.invalid.size());
    if (!request.valid.isEmpty()) {
      PendingRequest p = new PendingRequest(request.valid);
      waiting.add(p);
      try {
        if (!queue.offer(p)) {
          ex.setResponseHeader("Retry-After", "1");
          reply(ex, 503, "receiver overloaded: " + source.maxQueuedRequests + " requests queued");
          return;
        }
        if (stopping) { // queued after the stop answered the waiting ones, and no reader is left
          p.abort();
        }
        if (!p.acked.await(source.ackTimeout.getMillis(), TimeUnit.MILLISECONDS) || p.aborted()) {
          p.abort();
          ex.setResponseHeader("Retry-After", "1");
          reply(
              ex,
              503,
              stopping
                  ? "receiver shutting down"
                  : "not acknowledged by the pipeline within " + source.ackTimeout);
          return;
        }
      } finally {
        waiting.remove(p);
      }
    }
    if (request.v2) { // what was written, as 2.0 requires on every answer after decoding
      ex.setResponseHeader(
          "X-Prometheus-Remote-Write-Samples-Written", Long.toString(request.samplesWritten()));
      ex.setResponseHeader(
          "X-Prometheus-Remote-Write-Histograms-Written",
          Long.toString(request.histogramsWritten()));
      ex.setResponseHeader(
          "X-Prometheus-Remote-Write-Exemplars-Written", Long.toString(request.exemplarsWritten()));
    }
    if (!request.partial()) {
      reply(ex, 204, "");
    } else {
      // As Prometheus' receiver: the valid series are taken, the answer is 400 naming the
      // others, and a sender does not retry a 400, so the valid part cannot arrive twice.
      reply(ex, 400, request.refusal());
    }
  }

  /** Whether the body is declared remote-write 2.0 (a supported media type assumed). */
  private static boolean isV2(ReceiverExchange ex) {
    String type = ex.header("Content-Type");
    return type != null
        && type.toLowerCase(java.util.Locale.ROOT).contains("proto=io.prometheus.write.v2.request");
  }

  /** Why the body's declared media type is not remote-write 1.0 or 2.0, or null when it is. */
  private static String unsupportedMediaType(ReceiverExchange ex) {
    String encoding = ex.header("Content-Encoding");
    if (encoding == null || !encoding.trim().equalsIgnoreCase("snappy")) {
      return "Content-Encoding must be snappy, got " + encoding;
    }
    String type = ex.header("Content-Type");
    String lower = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
    if (!lower.startsWith("application/x-protobuf")) {
      return "Content-Type must be application/x-protobuf, got " + type;
    }
    if (lower.contains("proto=")
        && !lower.contains("proto=prometheus.writerequest")
        && !lower.contains("proto=io.prometheus.write.v2.request")) {
      return "remote-write 1.0 (prometheus.WriteRequest) and 2.0 (io.prometheus.write.v2.Request)"
          + " are received, got "
          + type;
    }
    return null;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The whole stream, or null as soon as it passes {@code max} bytes, or {@link #BUSY} when the
   * bytes it holds cannot be reserved. Chunks are kept as read (no doubling buffer), each reserved
   * before the next is read.
   */
  private byte[] readAtMost(InputStream in, long max, long[] reserved) throws IOException {
    java.util.List<byte[]> chunks = new java.util.ArrayList<>();
    long total = 0;
    while (true) {
      byte[] chunk = in.readNBytes(64 << 10);
      if (chunk.length == 0) {
        break;
      }
      total += chunk.length;
      if (total > max) {
        return null;
      }
      if (!reserve(chunk.length, reserved)) {
        return BUSY;
      }
      chunks.add(chunk);
    }
    if (!reserve(total, reserved)) { // the joined copy
      return BUSY;
    }
    byte[] body = new byte[(int) total];
    int at = 0;
    for (byte[] c : chunks) {
      System.arraycopy(c, 0, body, at, c.length);
      at += c.length;
    }
    return body;
  }

  private static void reply(ReceiverExchange ex, int status, String text) throws IOException {
    ex.reply(status, text);
  }
}
