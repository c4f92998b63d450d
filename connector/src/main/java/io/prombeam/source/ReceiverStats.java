package io.prombeam.source;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts kept by the receiver's handler threads, which run outside any Beam metrics container; the
 * reader turns them into Beam counters.
 */
final class ReceiverStats {
  final AtomicLong refused = new AtomicLong();
  final AtomicLong seriesInvalid = new AtomicLong();
}
