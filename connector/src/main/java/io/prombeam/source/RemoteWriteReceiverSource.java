package io.prombeam.source;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prombeam.model.SeriesValidator;
import io.prombeam.model.SeriesViolation;
import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import io.prombeam.remotewrite.RemoteWriteCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote-write 1.0 receiver as an unbounded source. Each request is decoded and validated,
 * queued, and its HTTP exchange held open until the data is safe: by default until the runner
 * finalizes the checkpoint that holds it ({@link AckMode#ON_CHECKPOINT}), then 204. A full queue
 * answers 503 and an ack that does not come within the ack timeout answers 503 too, so the sender's
 * own retries keep delivery at-least-once. Invalid data answers 400 with the rule broken.
 */
final class RemoteWriteReceiverSource
    extends UnboundedSource<TimeSeries, RemoteWriteReceiverSource.Checkpoint> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteReceiverSource.class);

  /** A receiver takes what senders send; judging their clocks is not its business. */
  private static final SeriesValidator ANY_TIMESTAMP =
      SeriesValidator.DEFAULT.maxFutureSkewMillis(Long.MAX_VALUE);

  private final String host;
  private final int port;
  private final String path;
  private final int maxQueuedRequests;
  private final Duration ackTimeout;
  private final AckMode ackMode;
  private final @Nullable Duration stopAfter;

  RemoteWriteReceiverSource(
      String host,
      int port,
      String path,
      int maxQueuedRequests,
      Duration ackTimeout,
      AckMode ackMode,
      @Nullable Duration stopAfter) {
    this.host = host;
    this.port = port;
    this.path = path;
    this.maxQueuedRequests = maxQueuedRequests;
    this.ackTimeout = ackTimeout;
    this.ackMode = ackMode;
    this.stopAfter = stopAfter;
  }

  @Override
  public List<RemoteWriteReceiverSource> split(int desiredNumSplits, PipelineOptions options) {
    return List.of(this); // one listening socket
  }

  @Override
  public UnboundedReader<TimeSeries> createReader(
      PipelineOptions options, @Nullable Checkpoint checkpoint) throws IOException {
    return new Reader(this);
  }

  @Override
  public Coder<Checkpoint> getCheckpointMarkCoder() {
    return new CheckpointCoder();
  }

  @Override
  public Coder<TimeSeries> getOutputCoder() {
    return TimeSeriesCoder.of();
  }

  /** One received request, whose sender waits for {@link #acked}. */
  static final class Pending {
    final List<TimeSeries> series;
    final CountDownLatch acked;
    private final Pending request; // the whole request this is (a part of)
    private volatile boolean aborted;

    Pending(List<TimeSeries> series) {
      this.series = series;
      this.acked = new CountDownLatch(1);
      this.request = this;
    }

    private Pending(List<TimeSeries> rest, Pending of) {
      this.series = rest;
      this.acked = of.acked;
      this.request = of.request;
    }

    /** The unread rest of this request, answered together with it. */
    Pending remainder(List<TimeSeries> rest) {
      return new Pending(rest, this);
    }

    /** The sender was answered 503 (or the receiver stopped) and will send it all again. */
    void abort() {
      request.aborted = true;
    }

    boolean aborted() {
      return request.aborted;
    }
  }

  /**
   * The requests read since the previous checkpoint, by id: runners may finalize a copy of the mark
   * made through its coder (DirectRunner does), so the mark carries only an id and the requests
   * wait in a JVM-wide registry. Finalizing answers their senders. A mark restored on another JVM
   * after a failure finds nothing: those senders timed out and retry.
   */
  static final class Checkpoint implements UnboundedSource.CheckpointMark, Serializable {
    private static final long serialVersionUID = 1L;
    private static final java.util.concurrent.ConcurrentHashMap<Long, List<Pending>> WAITING =
        new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong IDS =
        new java.util.concurrent.atomic.AtomicLong();

    final long id;

    Checkpoint(long id) {
      this.id = id;
    }

    static Checkpoint of(List<Pending> requests) {
      long id = IDS.incrementAndGet();
      if (!requests.isEmpty()) {
        WAITING.put(id, requests);
      }
      return new Checkpoint(id);
    }

    @Override
    public void finalizeCheckpoint() {
      List<Pending> requests = WAITING.remove(id);
      if (requests != null) {
        for (Pending p : requests) {
          p.acked.countDown();
        }
      }
    }
  }

  static final class CheckpointCoder extends AtomicCoder<Checkpoint> {
    private static final long serialVersionUID = 1L;

    @Override
    public void encode(Checkpoint value, OutputStream out) throws IOException {
      org.apache.beam.sdk.coders.VarLongCoder.of().encode(value.id, out);
    }

    @Override
    public Checkpoint decode(InputStream in) throws IOException {
      return new Checkpoint(org.apache.beam.sdk.coders.VarLongCoder.of().decode(in));
    }
  }

  /**
   * The listening socket and its queue, shared by the readers of one host:port in this JVM: runners
   * close and re-create readers (DirectRunner does so on purpose, to test resumption), and the
   * socket and the requests already queued must outlive that. Stopped a grace period after its last
   * reader closed.
   */
  static final class Endpoint {
    private static final java.util.Map<String, Endpoint> OPEN = new java.util.HashMap<>();
    private static final java.util.concurrent.ScheduledExecutorService STOPPER =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "prombeam-receiver-stopper");
              t.setDaemon(true);
              return t;
            });

    final RemoteWriteReceiverSource source;
    final BlockingQueue<Pending> queue;

    /** Unread rests of requests whose reader was closed mid-way: read before anything queued. */
    final java.util.Deque<Pending> resumed = new java.util.concurrent.ConcurrentLinkedDeque<>();

    final HttpServer server;
    private int readers;

    private Endpoint(RemoteWriteReceiverSource source) throws IOException {
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
      LOG.info(
          "remote-write receiver listening on {}:{}{}",
          source.host,
          server.getAddress().getPort(),
          source.path);
    }

    static synchronized Endpoint attach(RemoteWriteReceiverSource source) throws IOException {
      String key = source.host + ":" + source.port + source.path;
      Endpoint e = OPEN.get(key);
      if (e == null) {
        e = new Endpoint(source);
        OPEN.put(key, e);
      }
      e.readers++;
      return e;
    }

    void detach() {
      synchronized (Endpoint.class) {
        readers--;
      }
      STOPPER.schedule(
          () -> {
            synchronized (Endpoint.class) {
              if (readers == 0
                  && OPEN.remove(source.host + ":" + source.port + source.path) == this) {
                server.stop(0);
                for (Pending p : resumed) {
                  p.abort();
                  p.acked.countDown();
                }
                for (Pending p : queue) {
                  p.abort();
                  p.acked.countDown();
                }
                LOG.info("remote-write receiver on port {} stopped", source.port);
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
          Optional<SeriesViolation> v = ANY_TIMESTAMP.validate(ts);
          if (v.isPresent()) {
            reply(ex, 400, v.get().message());
            return;
          }
        }
        Pending p = new Pending(series);
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

  static final class Reader extends UnboundedReader<TimeSeries> {
    private final RemoteWriteReceiverSource source;
    private final List<Pending> readSinceCheckpoint = new ArrayList<>();
    private Endpoint endpoint;
    private BlockingQueue<Pending> queue;
    private Pending currentRequest;
    private Iterator<TimeSeries> currentSeries;
    private TimeSeries current;
    private Instant currentTimestamp;
    private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
    private long startedAt;

    Reader(RemoteWriteReceiverSource source) {
      this.source = source;
    }

    @Override
    public boolean start() throws IOException {
      endpoint = Endpoint.attach(source);
      queue = endpoint.queue;
      startedAt = System.currentTimeMillis();
      return advance();
    }

    @Override
    public boolean advance() {
      while (true) {
        if (currentSeries != null && currentSeries.hasNext()) {
          current = currentSeries.next();
          Instant now = Instant.now();
          currentTimestamp = now.isAfter(watermark) ? now : watermark;
          if (!currentSeries.hasNext()) {
            requestRead(); // its last series is out: the next checkpoint holds all of it
          }
          return true;
        }
        Pending next = nextPending();
        while (next != null && (next.aborted() || next.series.isEmpty())) {
          if (!next.aborted()) {
            next.acked.countDown(); // nothing to hold
          }
          next = nextPending(); // an aborted one's sender got a 503 and sends it again
        }
        if (next == null) {
          Instant now = Instant.now();
          if (now.isAfter(watermark)) {
            watermark = now;
          }
          current = null;
          currentSeries = null;
          return false;
        }
        currentRequest = next;
        currentSeries = next.series.iterator();
      }
    }

    private Pending nextPending() {
      Pending resumed = endpoint.resumed.pollFirst();
      return resumed != null ? resumed : queue.poll();
    }

    private void requestRead() {
      if (source.ackMode == AckMode.ON_READ) {
        currentRequest.acked.countDown();
      } else {
        readSinceCheckpoint.add(currentRequest);
      }
      currentRequest = null;
    }

    @Override
    public TimeSeries getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return currentTimestamp;
    }

    /** Receipt time: elements are stamped when read, so the watermark is the wall clock. */
    @Override
    public Instant getWatermark() {
      if (source.stopAfter != null
          && System.currentTimeMillis() - startedAt > source.stopAfter.getMillis()
          && queue.isEmpty()
          && endpoint.resumed.isEmpty()
          && currentSeries == null) {
        return BoundedWindow.TIMESTAMP_MAX_VALUE; // ends the source (tests, bounded runs)
      }
      return watermark;
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      List<Pending> marked = new ArrayList<>(readSinceCheckpoint);
      readSinceCheckpoint.clear();
      return Checkpoint.of(marked);
    }

    @Override
    public UnboundedSource<TimeSeries, ?> getCurrentSource() {
      return source;
    }

    /**
     * A reader closed in the middle of a request (DirectRunner closes readers at random to test
     * resumption; Flink on cancel or failover) hands the unread rest to the next reader of this
     * endpoint, so the sender is answered once all of it is read. Dropping it would leave the
     * sender unanswered until its timeout (Prometheus: 30 s) and then make it send everything
     * again.
     */
    private void handBackUnread() {
      if (currentRequest != null && currentSeries != null && currentSeries.hasNext()) {
        List<TimeSeries> rest = new ArrayList<>();
        currentSeries.forEachRemaining(rest::add);
        endpoint.resumed.addFirst(currentRequest.remainder(rest));
      }
      currentRequest = null;
      currentSeries = null;
      current = null;
    }

    @Override
    public void close() {
      if (endpoint != null) {
        handBackUnread();
        endpoint.detach();
        endpoint = null;
      }
    }
  }
}
