package io.prombeam.remotewrite;

import static org.junit.Assert.assertEquals;

import io.prombeam.model.SeriesRule;
import io.prombeam.model.TimeSeries;
import java.util.List;
import org.junit.Test;

public class RequestBuilderTest {

  @Test
  public void mergesPartsOfOneSeriesIntoOneEntrySortedByTimestamp() {
    List<TimeSeries> in =
        List.of(
            TimeSeries.builder("a").sample(30, 3).build(),
            TimeSeries.builder("b").sample(5, 1).build(),
            TimeSeries.builder("a").sample(10, 1).sample(20, 2).build());
    RequestBuilder.Plan plan = RequestBuilder.plan(in, 100, null);
    assertEquals(1, plan.requests.size());
    List<TimeSeries> req = plan.requests.get(0);
    assertEquals(2, req.size());
    assertEquals(
        TimeSeries.builder("a").sample(10, 1).sample(20, 2).sample(30, 3).build(), req.get(0));
    assertEquals(4, plan.samples);
  }

  @Test
  public void sendsExactRepeatsOnceAndRejectsConflictingValues() {
    List<TimeSeries> in =
        List.of(
            TimeSeries.builder("a").sample(10, 1).build(),
            TimeSeries.builder("a").sample(10, 1).build(),
            TimeSeries.builder("a").sample(10, 2).build(),
            TimeSeries.builder("a").sample(20, 2).build());
    RequestBuilder.Plan plan = RequestBuilder.plan(in, 100, null);
    assertEquals(
        TimeSeries.builder("a").sample(10, 1).sample(20, 2).build(), plan.requests.get(0).get(0));
    assertEquals(1, plan.duplicateSamplesDropped);
    assertEquals(1, plan.conflicts.size());
    assertEquals(SeriesRule.DUPLICATE_TIMESTAMP, plan.conflicts.get(0).rule());
    assertEquals(TimeSeries.builder("a").sample(10, 2).build(), plan.conflicts.get(0).series());
  }

  @Test
  public void splitsAtMaxSamplesPerSendKeepingTimestampOrderAcrossRequests() {
    TimeSeries.Builder big = TimeSeries.builder("big");
    for (int i = 0; i < 25; i++) {
      big.sample(i, i);
    }
    List<TimeSeries> in = List.of(TimeSeries.builder("small").sample(1, 1).build(), big.build());
    RequestBuilder.Plan plan = RequestBuilder.plan(in, 10, null);
    assertEquals(3, plan.requests.size());
    int total = 0;
    long last = Long.MIN_VALUE;
    for (List<TimeSeries> req : plan.requests) {
      int n = 0;
      for (TimeSeries ts : req) {
        n += ts.sampleCount();
        if (ts.metricName().equals("big")) {
          for (int i = 0; i < ts.sampleCount(); i++) {
            assertEquals(true, ts.timestamp(i) > last);
            last = ts.timestamp(i);
          }
        }
      }
      assertEquals(true, n <= 10);
      total += n;
    }
    assertEquals(26, total);
  }

  @Test
  public void orderGuardHoldsBackSamplesOlderThanOnesAlreadySent() {
    OrderGuard guard = new OrderGuard(10);
    RequestBuilder.Plan first =
        RequestBuilder.plan(List.of(TimeSeries.builder("a").sample(20, 2).build()), 100, guard);
    guard.sent(first.requests.get(0));
    RequestBuilder.Plan second =
        RequestBuilder.plan(
            List.of(
                TimeSeries.builder("a").sample(10, 1).sample(20, 2).sample(30, 3).build(),
                TimeSeries.builder("b").sample(5, 5).build()),
            100,
            guard);
    assertEquals(
        List.of(
            TimeSeries.builder("a").sample(30, 3).build(),
            TimeSeries.builder("b").sample(5, 5).build()),
        second.requests.get(0));
    assertEquals(1, second.conflicts.size());
    assertEquals(SeriesRule.OUT_OF_ORDER, second.conflicts.get(0).rule());
    assertEquals(TimeSeries.builder("a").sample(10, 1).build(), second.conflicts.get(0).series());
    assertEquals(1, second.duplicateSamplesDropped); // 20=2 again: what Prometheus takes as a no-op
  }

  @Test
  public void orderGuardIsBounded() {
    OrderGuard guard = new OrderGuard(2);
    for (String n : new String[] {"a", "b", "c"}) {
      guard.sent(List.of(TimeSeries.builder(n).sample(20, 2).build()));
    }
    RequestBuilder.Plan plan = new RequestBuilder.Plan();
    // "a" was evicted (least recently used): no longer checked
    assertEquals(1, guard.admit(TimeSeries.builder("a").sample(10, 1).build(), plan).sampleCount());
    assertEquals(null, guard.admit(TimeSeries.builder("c").sample(10, 1).build(), plan));
    assertEquals(1, plan.conflicts.size());
  }

  @Test
  public void orderGuardDropsARepeatOfTheNewestSampleAndNamesAConflictingOne() {
    OrderGuard guard = new OrderGuard(10);
    guard.sent(List.of(TimeSeries.builder("a").sample(10, 1).sample(20, 2).build()));
    RequestBuilder.Plan plan = new RequestBuilder.Plan();
    // an exact repeat of the newest sample: dropped, counted, not a failure
    assertEquals(
        TimeSeries.builder("a").sample(30, 3).build(),
        guard.admit(TimeSeries.builder("a").sample(20, 2).sample(30, 3).build(), plan));
    assertEquals(1, plan.duplicateSamplesDropped);
    assertEquals(0, plan.conflicts.size());
    // another value at the newest timestamp, and an older sample
    assertEquals(
        null, guard.admit(TimeSeries.builder("a").sample(15, 9).sample(20, 7).build(), plan));
    assertEquals(2, plan.conflicts.size());
    assertEquals(SeriesRule.DUPLICATE_TIMESTAMP, plan.conflicts.get(0).rule());
    assertEquals(TimeSeries.builder("a").sample(20, 7).build(), plan.conflicts.get(0).series());
    assertEquals(SeriesRule.OUT_OF_ORDER, plan.conflicts.get(1).rule());
    assertEquals(TimeSeries.builder("a").sample(15, 9).build(), plan.conflicts.get(1).series());
  }
}
