package io.prombeam.source;

import io.prombeam.model.TimeSeries;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** One received request, whose sender waits for {@link #acked}. */
final class PendingRequest {
  final List<TimeSeries> series;
  final CountDownLatch acked;
  private final PendingRequest request; // the whole request this is (a part of)
  private volatile boolean aborted;

  PendingRequest(List<TimeSeries> series) {
    this.series = series;
    this.acked = new CountDownLatch(1);
    this.request = this;
  }

  private PendingRequest(List<TimeSeries> rest, PendingRequest of) {
    this.series = rest;
    this.acked = of.acked;
    this.request = of.request;
  }

  /** The unread rest of this request, answered together with it. */
  PendingRequest remainder(List<TimeSeries> rest) {
    return new PendingRequest(rest, this);
  }

  /** The sender was answered 503 (or the receiver stopped) and will send it all again. */
  void abort() {
    request.aborted = true;
  }

  boolean aborted() {
    return request.aborted;
  }
}
