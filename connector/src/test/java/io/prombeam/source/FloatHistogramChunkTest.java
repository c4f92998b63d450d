package io.prombeam.source;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.prombeam.model.HistogramBuckets;
import io.prombeam.model.Labels;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import java.io.ByteArrayOutputStream;
import org.junit.Test;

/**
 * The FLOAT_HISTOGRAM chunk decoder on chunks written here the way Prometheus' float histogram
 * appender writes them (Prometheus 2.42, the one at hand, answers a streamed read of float
 * histograms with an error, so no real server can produce one here): layout, raw first sample, then
 * XOR-ed floats per field, and a staleness marker that carries no buckets.
 */
public class FloatHistogramChunkTest {

  /** Bits most significant first, as Prometheus' bstream writes them. */
  private static final class Bits {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    int current;
    int used;

    void bits(long v, int n) {
      for (int i = n - 1; i >= 0; i--) {
        current = (current << 1) | (int) ((v >>> i) & 1);
        if (++used == 8) {
          out.write(current);
          current = 0;
          used = 0;
        }
      }
    }

    byte[] bytes() {
      if (used > 0) {
        out.write(current << (8 - used));
      }
      return out.toByteArray();
    }

    static boolean fits(long v, int n) {
      return -((1L << (n - 1)) - 1) <= v && v <= 1L << (n - 1);
    }

    void varbitInt(long v) {
      int[] widths = {3, 6, 9, 12, 18, 25, 56};
      if (v == 0) {
        bits(0, 1);
        return;
      }
      for (int k = 0; k < widths.length; k++) {
        if (fits(v, widths[k])) {
          bits(((1L << (k + 2)) - 2), k + 2); // k+1 ones then a zero
          bits(v, widths[k]);
          return;
        }
      }
      bits(0xFF, 8);
      bits(v, 64);
    }

    void varbitUint(long v) {
      int[] widths = {3, 6, 9, 12, 18, 25, 56};
      if (v == 0) {
        bits(0, 1);
        return;
      }
      for (int k = 0; k < widths.length; k++) {
        if (Long.numberOfLeadingZeros(v) >= 64 - widths[k]) {
          bits(((1L << (k + 2)) - 2), k + 2);
          bits(v, widths[k]);
          return;
        }
      }
      bits(0xFF, 8);
      bits(v, 64);
    }
  }

  /** Gorilla XOR of one float field against its previous value, as Prometheus' xorWrite. */
  private static final class Xor {
    long previous;
    int leading = 0xff;
    int trailing;

    void write(Bits b, double value) {
      long bits = Double.doubleToRawLongBits(value);
      long delta = bits ^ previous;
      previous = bits;
      if (delta == 0) {
        b.bits(0, 1);
        return;
      }
      b.bits(1, 1);
      int newLeading = Math.min(31, Long.numberOfLeadingZeros(delta));
      int newTrailing = Long.numberOfTrailingZeros(delta);
      if (leading != 0xff && newLeading >= leading && newTrailing >= trailing) {
        b.bits(0, 1);
        b.bits(delta >>> trailing, 64 - leading - trailing);
        return;
      }
      leading = newLeading;
      trailing = newTrailing;
      b.bits(1, 1);
      b.bits(leading, 5);
      int sig = 64 - leading - trailing;
      b.bits(sig == 64 ? 0 : sig, 6);
      b.bits(delta >>> trailing, sig);
    }
  }

  /** Positive spans (0,2),(3,1): buckets 0, 1 and 5; negative span (-1,1): bucket -1. */
  private static final int[] P_SPANS = {0, 2, 3, 1};

  private static final int[] N_SPANS = {-1, 1};

  private static NativeHistogram expected(double[] f, NativeHistogram.ResetHint hint) {
    return NativeHistogram.builder(1)
        .count(f[0])
        .zeroCount(f[1])
        .sum(f[2])
        .zeroThreshold(0x1p-128)
        .positive(HistogramBuckets.ofCounts(P_SPANS, new double[] {f[3], f[4], f[5]}))
        .negative(HistogramBuckets.ofCounts(N_SPANS, new double[] {f[6]}))
        .resetHint(hint)
        .build();
  }

  @Test
  public void decodesAChunkAsPrometheusWritesIt() throws Exception {
    long[] times = {1000, 2000, 3500, 4000};
    // count, zero count, sum, positive buckets 0, 1, 5, negative bucket -1
    double[][] fields = {
      {4.5, 0.5, 10.25, 1.0, 2.0, 0.5, 0.5},
      {6.5, 0.5, 13.75, 1.5, 2.5, 1.5, 0.5},
      {6.5, 1.0, 14.0, 1.5, 2.5, 1.5, 1.0}, // some fields unchanged: a single 0 bit each
    };
    Bits b = new Bits();
    b.bits(times.length, 16);
    b.bits(0b01000000, 8); // header: no counter reset
    b.bits(116, 8); // zero threshold 2^-128 = 0.5 * 2^-127: byte -127 + 243
    b.varbitInt(1); // schema
    b.varbitUint(2); // positive spans: length then offset
    b.varbitUint(2);
    b.varbitInt(0);
    b.varbitUint(1);
    b.varbitInt(3);
    b.varbitUint(1); // negative spans
    b.varbitUint(1);
    b.varbitInt(-1);
    Xor[] xor = new Xor[7];
    for (int i = 0; i < xor.length; i++) {
      xor[i] = new Xor();
    }
    b.varbitInt(times[0]);
    for (int f = 0; f < 7; f++) {
      b.bits(Double.doubleToRawLongBits(fields[0][f]), 64);
      xor[f].previous = Double.doubleToRawLongBits(fields[0][f]);
    }
    long tDelta = 0;
    for (int s = 1; s < times.length; s++) {
      long delta = times[s] - times[s - 1];
      b.varbitInt(delta - tDelta);
      tDelta = delta;
      if (s < 3) {
        for (int f = 0; f < 7; f++) {
          xor[f].write(b, fields[s][f]);
        }
      } else { // a staleness marker: count, zero count, then the stale sum, no buckets
        xor[0].write(b, fields[2][0]);
        xor[1].write(b, fields[2][1]);
        xor[2].write(b, StaleMarker.VALUE);
      }
    }
    TimeSeries.Builder out = TimeSeries.builder(Labels.of("__name__", "h"));
    assertEquals(4, HistogramChunks.decodeFloat(b.bytes(), 0, Long.MAX_VALUE, out));
    TimeSeries ts = out.build();
    assertEquals(expected(fields[0], NativeHistogram.ResetHint.UNKNOWN), ts.histogram(0));
    assertEquals(expected(fields[1], NativeHistogram.ResetHint.NO), ts.histogram(1));
    assertEquals(expected(fields[2], NativeHistogram.ResetHint.NO), ts.histogram(2));
    assertEquals(3500, ts.timestamp(2));
    assertNull(ts.histogram(3));
    assertTrue(StaleMarker.isStale(ts.value(3)));
    assertEquals(4000, ts.timestamp(3));

    // and a range keeps only what lies in it
    TimeSeries.Builder cut = TimeSeries.builder(Labels.of("__name__", "h"));
    assertEquals(2, HistogramChunks.decodeFloat(b.bytes(), 1500, 3500, cut));
    assertEquals(2000, cut.build().timestamp(0));
  }
}
