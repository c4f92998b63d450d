package io.prombeam.source;

import io.prombeam.model.HistogramBuckets;
import io.prombeam.model.NativeHistogram;
import io.prombeam.model.StaleMarker;
import io.prombeam.model.TimeSeries;
import java.io.IOException;

/**
 * Decodes Prometheus' HISTOGRAM and FLOAT_HISTOGRAM chunk encodings (native histograms with integer
 * or float counts), as remote read's STREAMED_XOR_CHUNKS sends them.
 *
 * <p>The chunk: a big-endian 16-bit sample count; a header byte whose top two bits say whether the
 * chunk began with a counter reset (10), with none (01), or holds a gauge histogram (11); then a
 * bit stream. The stream opens with the layout every sample of the chunk shares — the zero
 * threshold (one byte: 0 for zero, 255 followed by the 64 float bits, else the power of two
 * 2^(byte−243−1)), the schema, and the positive and negative spans (a count, then per span its
 * length and offset) — followed per sample by: the timestamp, count and zero count (raw for the
 * first sample, then as deltas of deltas), the sum (64 raw bits, then XOR-ed with the previous as
 * float samples are), and per bucket its delta to the previous bucket (raw, then as deltas of
 * deltas). A sample whose sum is the staleness marker has no buckets. Numbers are Prometheus'
 * "varbit" integers: a unary prefix of up to eight 1 bits choosing a width of 0, 3, 6, 9, 12, 18,
 * 25, 56 or 64 bits.
 */
final class HistogramChunks {
  private static final int[] WIDTHS = {0, 3, 6, 9, 12, 18, 25, 56, 64};

  private HistogramChunks() {}

  /** The layout every sample of a chunk shares. */
  private static final class Layout {
    final int header;
    final double zeroThreshold;
    final int schema;
    final int[] pSpans;
    final int[] nSpans;

    Layout(int header, XorChunks.BitReader r) throws IOException {
      this.header = header;
      this.zeroThreshold = readZeroThreshold(r);
      this.schema = (int) readVarbitInt(r);
      if (schema < NativeHistogram.MIN_SCHEMA || schema > NativeHistogram.MAX_SCHEMA) {
        // custom bounds (-53) add their bounds to the layout, which Prometheus 2.x never writes
        throw new IOException("histogram chunk of schema " + schema + " is not supported");
      }
      this.pSpans = readSpans(r);
      this.nSpans = readSpans(r);
    }

    NativeHistogram.Builder builder(int i) {
      return NativeHistogram.builder(schema)
          .zeroThreshold(zeroThreshold)
          .resetHint(hint(header, i));
    }
  }

  /** Appends the histograms of one HISTOGRAM chunk within [start, end]; returns how many. */
  static int decode(byte[] data, long start, long end, TimeSeries.Builder out) throws IOException {
    if (data.length < 3) {
      throw new IOException("histogram chunk too short");
    }
    int n = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
    XorChunks.BitReader r = new XorChunks.BitReader(data, 3);
    if (n == 0) {
      return 0;
    }
    Layout layout = new Layout(data[2] & 0xC0, r);
    int[] pSpans = layout.pSpans;
    int[] nSpans = layout.nSpans;
    long[] pBuckets = new long[bucketCount(pSpans)];
    long[] nBuckets = new long[bucketCount(nSpans)];
    long[] pDelta = new long[pBuckets.length];
    long[] nDelta = new long[nBuckets.length];
    long t = readVarbitInt(r);
    long count = readVarbitUint(r);
    long zeroCount = readVarbitUint(r);
    XorChunks.XorValue sum = new XorChunks.XorValue();
    sum.bits = r.readBits(64);
    for (int i = 0; i < pBuckets.length; i++) {
      pBuckets[i] = readVarbitInt(r);
    }
    for (int i = 0; i < nBuckets.length; i++) {
      nBuckets[i] = readVarbitInt(r);
    }
    long tDelta = 0;
    long countDelta = 0;
    long zeroDelta = 0;
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        tDelta += readVarbitInt(r);
        t += tDelta;
        countDelta += readVarbitInt(r);
        count += countDelta;
        zeroDelta += readVarbitInt(r);
        zeroCount += zeroDelta;
        sum.readNext(r);
        if (!StaleMarker.isStale(Double.longBitsToDouble(sum.bits))) {
          for (int j = 0; j < pBuckets.length; j++) {
            pDelta[j] += readVarbitInt(r);
            pBuckets[j] += pDelta[j];
          }
          for (int j = 0; j < nBuckets.length; j++) {
            nDelta[j] += readVarbitInt(r);
            nBuckets[j] += nDelta[j];
          }
        }
      }
      if (t < start || t > end) {
        continue;
      }
      double s = Double.longBitsToDouble(sum.bits);
      if (StaleMarker.isStale(s)) {
        out.staleMarker(t); // the series ends: a staleness marker, as for float series
      } else {
        out.histogram(
            t,
            layout
                .builder(i)
                .count(count)
                .sum(s)
                .zeroCount(zeroCount)
                .positive(HistogramBuckets.ofDeltas(pSpans, pBuckets))
                .negative(HistogramBuckets.ofDeltas(nSpans, nBuckets))
                .build());
      }
      kept++;
    }
    return kept;
  }

  /**
   * Appends the histograms of one FLOAT_HISTOGRAM chunk within [start, end]; returns how many. The
   * same layout; then per sample the timestamp as for integer histograms, and the count, zero
   * count, sum and every bucket's absolute count as floats: 64 raw bits in the first sample, then
   * each XOR-ed with its own previous value.
   */
  static int decodeFloat(byte[] data, long start, long end, TimeSeries.Builder out)
      throws IOException {
    if (data.length < 3) {
      throw new IOException("float histogram chunk too short");
    }
    int n = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
    XorChunks.BitReader r = new XorChunks.BitReader(data, 3);
    if (n == 0) {
      return 0;
    }
    Layout layout = new Layout(data[2] & 0xC0, r);
    XorChunks.XorValue[] p = values(bucketCount(layout.pSpans));
    XorChunks.XorValue[] q = values(bucketCount(layout.nSpans));
    XorChunks.XorValue count = new XorChunks.XorValue();
    XorChunks.XorValue zeroCount = new XorChunks.XorValue();
    XorChunks.XorValue sum = new XorChunks.XorValue();
    long t = 0;
    long tDelta = 0;
    int kept = 0;
    for (int i = 0; i < n; i++) {
      boolean stale;
      if (i == 0) {
        t = readVarbitInt(r);
        count.bits = r.readBits(64);
        zeroCount.bits = r.readBits(64);
        sum.bits = r.readBits(64);
        for (XorChunks.XorValue b : p) {
          b.bits = r.readBits(64);
        }
        for (XorChunks.XorValue b : q) {
          b.bits = r.readBits(64);
        }
        stale = StaleMarker.isStale(Double.longBitsToDouble(sum.bits));
      } else {
        tDelta += readVarbitInt(r);
        t += tDelta;
        count.readNext(r);
        zeroCount.readNext(r);
        sum.readNext(r);
        stale = StaleMarker.isStale(Double.longBitsToDouble(sum.bits));
        if (!stale) {
          for (XorChunks.XorValue b : p) {
            b.readNext(r);
          }
          for (XorChunks.XorValue b : q) {
            b.readNext(r);
          }
        }
      }
      if (t < start || t > end) {
        continue;
      }
      if (stale) {
        out.staleMarker(t);
      } else {
        out.histogram(
            t,
            layout
                .builder(i)
                .count(Double.longBitsToDouble(count.bits))
                .sum(Double.longBitsToDouble(sum.bits))
                .zeroCount(Double.longBitsToDouble(zeroCount.bits))
                .positive(HistogramBuckets.ofCounts(layout.pSpans, floats(p)))
                .negative(HistogramBuckets.ofCounts(layout.nSpans, floats(q)))
                .build());
      }
      kept++;
    }
    return kept;
  }

  private static XorChunks.XorValue[] values(int n) {
    XorChunks.XorValue[] v = new XorChunks.XorValue[n];
    for (int i = 0; i < n; i++) {
      v[i] = new XorChunks.XorValue();
    }
    return v;
  }

  private static double[] floats(XorChunks.XorValue[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = Double.longBitsToDouble(v[i].bits);
    }
    return d;
  }

  /** The reset hint of sample {@code i}: after the first, a counter chunk holds no reset. */
  private static NativeHistogram.ResetHint hint(int header, int i) {
    if (header == 0xC0) {
      return NativeHistogram.ResetHint.GAUGE;
    }
    if (i > 0) {
      return NativeHistogram.ResetHint.NO;
    }
    return header == 0x80 ? NativeHistogram.ResetHint.YES : NativeHistogram.ResetHint.UNKNOWN;
  }

  private static double readZeroThreshold(XorChunks.BitReader r) throws IOException {
    int b = (int) r.readBits(8);
    if (b == 0) {
      return 0;
    }
    if (b == 255) {
      return Double.longBitsToDouble(r.readBits(64));
    }
    return Math.scalb(0.5, b - 243);
  }

  private static int[] readSpans(XorChunks.BitReader r) throws IOException {
    long num = readVarbitUint(r);
    if (num < 0 || num > 1 << 16) {
      throw new IOException("histogram chunk with " + num + " spans");
    }
    int[] spans = new int[2 * (int) num];
    for (int i = 0; i < num; i++) {
      int length = (int) readVarbitUint(r);
      spans[2 * i] = (int) readVarbitInt(r); // offset
      spans[2 * i + 1] = length;
    }
    return spans;
  }

  private static int bucketCount(int[] spans) throws IOException {
    long n = 0;
    for (int i = 1; i < spans.length; i += 2) {
      n += spans[i];
    }
    if (n < 0 || n > 1 << 16) {
      throw new IOException("histogram chunk with " + n + " buckets");
    }
    return (int) n;
  }

  /** The width a varbit number's unary prefix chooses. */
  private static int width(XorChunks.BitReader r) throws IOException {
    int ones = 0;
    while (ones < 8 && r.readBit()) {
      ones++;
    }
    return WIDTHS[ones];
  }

  static long readVarbitInt(XorChunks.BitReader r) throws IOException {
    int w = width(r);
    if (w == 0 || w == 64) {
      return w == 0 ? 0 : r.readBits(64);
    }
    long bits = r.readBits(w);
    if (bits > (1L << (w - 1))) {
      bits -= 1L << w; // two's complement of w bits, the range skewed by one as Prometheus has it
    }
    return bits;
  }

  static long readVarbitUint(XorChunks.BitReader r) throws IOException {
    int w = width(r);
    return w == 0 ? 0 : r.readBits(w);
  }
}
