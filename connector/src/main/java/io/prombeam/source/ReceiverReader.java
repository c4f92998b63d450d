package io.prombeam.source;

import io.prombeam.counters.PrombeamCounter;
import io.prombeam.model.TimeSeries;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

final class ReceiverReader extends UnboundedSource.UnboundedReader<TimeSeries> {
  private final RemoteWriteReceiverSource source;
  private final List<PendingRequest> readSinceCheckpoint = new ArrayList<>();
  private ReceiverServer endpoint;
  private BlockingQueue<PendingRequest> queue;
  private PendingRequest currentRequest;
  private Iterator<TimeSeries> currentSeries;
  private TimeSeries current;
  private Instant currentTimestamp;
  private Instant watermark = BoundedWindow.TIMESTAMP_MIN_VALUE;
  private boolean finished;

  ReceiverReader(RemoteWriteReceiverSource source) {
    this.source = source;
  }

  @Override
  public boolean start() throws IOException {
    endpoint = ReceiverServer.attach(source);
    queue = endpoint.queue;
    return advance();
  }

  private long reportedRefused;
  private long reportedInvalid;

  /** Turns what the handler threads counted into Beam counters, here where a container is. */
  private void reportStats() {
    ReceiverStats stats = endpoint.stats;
    reportedRefused =
        report(PrombeamCounter.RECEIVE_REQUESTS_REFUSED, stats.refused, reportedRefused);
    reportedInvalid =
        report(PrombeamCounter.RECEIVE_SERIES_INVALID, stats.seriesInvalid, reportedInvalid);
  }

  private static long report(PrombeamCounter counter, AtomicLong total, long reported) {
    long now = total.get();
    if (now > reported) {
      counter.counter().inc(now - reported);
    }
    return now;
  }

  @Override
  public boolean advance() {
    reportStats();
    while (true) {
      if (currentSeries != null && currentSeries.hasNext()) {
        current = currentSeries.next();
        PrombeamCounter.RECEIVE_SERIES.counter().inc();
        Instant now = Instant.now();
        currentTimestamp = now.isAfter(watermark) ? now : watermark;
        if (!currentSeries.hasNext()) {
          requestRead(); // its last series is out: the next checkpoint holds all of it
        }
        return true;
      }
      PendingRequest next = nextPendingRequest();
      while (next != null && (next.aborted() || next.series.isEmpty())) {
        if (!next.aborted()) {
          next.acked.countDown(); // nothing to hold
        }
        next = nextPendingRequest(); // an aborted one's sender got a 503 and sends it again
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

  private PendingRequest nextPendingRequest() {
    PendingRequest resumed = endpoint.resumed.pollFirst();
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
        && System.currentTimeMillis() - endpoint.startedAt > source.stopAfter.getMillis()) {
      endpoint.closeIntake(); // new senders get 503; what is queued is still read
      if (queue.isEmpty() && endpoint.resumed.isEmpty() && currentSeries == null) {
        finished = true;
        return BoundedWindow.TIMESTAMP_MAX_VALUE; // ends the source (tests, bounded runs)
      }
    }
    return watermark;
  }

  @Override
  public UnboundedSource.CheckpointMark getCheckpointMark() {
    List<PendingRequest> marked = new ArrayList<>(readSinceCheckpoint);
    readSinceCheckpoint.clear();
    return ReceiverCheckpoint.of(marked);
  }

  @Override
  public UnboundedSource<TimeSeries, ?> getCurrentSource() {
    return source;
  }

  /**
   * A reader closed in the middle of a request (DirectRunner closes readers at random to test
   * resumption; Flink on cancel or failover) hands the unread rest to the next reader of this
   * endpoint, so the sender is answered once all of it is read. Dropping it would leave the sender
   * unanswered until its timeout (Prometheus: 30 s) and then make it send everything again.
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
      endpoint.detach(finished);
      endpoint = null;
    }
  }
}
