package io.prombeam.model;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class TimeSeriesTest {

  @Test
  public void builderSortsLabelsAndDropsEmptyValues() {
    TimeSeries ts =
        TimeSeries.builder("http_requests_total")
            .label("zone", "eu")
            .label("job", "api")
            .label("empty", "")
            .sample(1000, 42.0)
            .build();
    Labels l = ts.labels();
    assertEquals(3, l.size());
    assertEquals("__name__", l.name(0));
    assertEquals("job", l.name(1));
    assertEquals("zone", l.name(2));
    assertNull(l.get("empty"));
    assertEquals("http_requests_total", ts.metricName());
  }

  @Test
  public void samplesAreSortedByTimestampStably() {
    TimeSeries ts =
        TimeSeries.builder("m").sample(30, 3).sample(10, 1).sample(20, 2).sample(10, 1.5).build();
    assertEquals(10, ts.timestamp(0));
    assertEquals(1.0, ts.value(0), 0);
    assertEquals(10, ts.timestamp(1));
    assertEquals(1.5, ts.value(1), 0);
    assertEquals(20, ts.timestamp(2));
    assertEquals(30, ts.timestamp(3));
  }

  @Test
  public void staleMarkerKeepsItsBitsAndDiffersFromOrdinaryNaN() {
    TimeSeries stale = TimeSeries.builder("m").staleMarker(5).build();
    TimeSeries nan = TimeSeries.builder("m").sample(5, Double.NaN).build();
    assertEquals(StaleMarker.BITS, Double.doubleToRawLongBits(stale.value(0)));
    assertTrue(StaleMarker.isStale(stale.value(0)));
    assertNotEquals(stale, nan);
    assertThat(stale.toString(), containsString("stale"));
  }

  @Test
  public void toStringIsBoundedWhateverTheSeriesHolds() {
    TimeSeries.Builder b = TimeSeries.builder("m").label("big", "x".repeat(1_000_000));
    for (int i = 0; i < 10_000; i++) {
      b.sample(i, i);
    }
    String s = b.build().toString();
    assertThat(s.length(), lessThan(400));
    assertThat(s, containsString("10000 samples"));
  }

  @Test
  public void equalsAndHashCodeFollowLabelsSamplesAndMetadata() {
    TimeSeries a = TimeSeries.builder("m").label("a", "1").sample(1, 2).build();
    TimeSeries b = TimeSeries.builder("m").label("a", "1").sample(1, 2).build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, a.withMetadata(MetricMetadata.of(MetricType.GAUGE, "h")));
    assertNotEquals(a, TimeSeries.builder("m").label("a", "2").sample(1, 2).build());
  }

  @Test
  public void labelsOfAndWithAndWithout() {
    Labels l = Labels.of("__name__", "up", "job", "x", "instance", "h:1");
    assertEquals("up{instance=\"h:1\",job=\"x\"}", l.toString());
    assertEquals("y", l.with("job", "y").get("job"));
    assertNull(l.with("job", "").get("job"));
    assertNull(l.without("job").get("job"));
    assertEquals(2, l.without("job").size());
  }

  @Test
  public void repeatedLabelNamesAreKeptForValidationToReport() {
    Labels l = Labels.builder().add("__name__", "m").add("a", "1").add("a", "2").build();
    assertEquals(3, l.size());
    assertEquals("1", l.get("a"));
  }

  @Test
  public void samplesAreSortedByTimestampStablyAtAnySize() {
    java.util.Random random = new java.util.Random(3);
    for (int n : new int[] {2, 17, 100, 1000, 20_000}) {
      TimeSeries.Builder b = TimeSeries.builder("m");
      java.util.List<long[]> reference = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        long t = random.nextInt(n / 2 + 1); // many repeated timestamps
        b.sample(t, i);
        reference.add(new long[] {t, i});
      }
      reference.sort(java.util.Comparator.comparingLong(x -> x[0])); // List.sort is stable
      TimeSeries ts = b.build();
      for (int i = 0; i < n; i++) {
        assertEquals(reference.get(i)[0], ts.timestamp(i));
        assertEquals((double) reference.get(i)[1], ts.value(i), 0); // ties keep their order
      }
    }
  }
}
