package io.prombeam.source;

import io.prombeam.model.Labels;
import io.prombeam.model.TimeSeries;
import io.prombeam.remotewrite.proto.PrometheusRemote;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Decodes remote read's STREAMED_XOR_CHUNKS response: frames of {@code uvarint length, CRC-32C
 * (big-endian), ChunkedReadResponse}, whose chunks hold samples in Prometheus' XOR ("Gorilla")
 * encoding — delta-of-delta timestamps and XOR-ed float bits — which this class reads, or native
 * histograms in the HISTOGRAM encoding ({@link HistogramChunks}).
 */
final class XorChunks {
  private XorChunks() {}

  /**
   * Reads every frame of the stream; samples outside [start, end] (whole chunks overlap it) are
   * dropped.
   */
  public static List<TimeSeries> readStream(InputStream in, long start, long end)
      throws IOException {
    List<TimeSeries> out = new ArrayList<>();
    while (true) {
      long size = readUvarint(in);
      if (size < 0) {
        return out; // clean end of stream
      }
      if (size > 1L << 30) {
        throw new IOException("remote read frame of " + size + " bytes");
      }
      byte[] crc = in.readNBytes(4);
      byte[] msg = in.readNBytes((int) size);
      if (crc.length != 4 || msg.length != size) {
        throw new IOException("truncated remote read frame");
      }
      CRC32C c = new CRC32C();
      c.update(msg);
      long want =
          ((crc[0] & 0xffL) << 24)
              | ((crc[1] & 0xffL) << 16)
              | ((crc[2] & 0xffL) << 8)
              | (crc[3] & 0xffL);
      if (c.getValue() != want) {
        throw new IOException("remote read frame fails its CRC-32C check");
      }
      PrometheusRemote.ChunkedReadResponse r = PrometheusRemote.ChunkedReadResponse.parseFrom(msg);
      for (PrometheusRemote.ChunkedSeries cs : r.getChunkedSeriesList()) {
        Labels.Builder labels = Labels.builder();
        for (PrometheusRemote.Label l : cs.getLabelsList()) {
          labels.add(l.getName(), l.getValue());
        }
        TimeSeries.Builder ts = TimeSeries.builder(labels.build());
        int points = 0;
        for (PrometheusRemote.Chunk chunk : cs.getChunksList()) {
          byte[] data = chunk.getData().toByteArray();
          switch (chunk.getType()) {
            case XOR:
              points += decode(data, start, end, ts);
              break;
            case HISTOGRAM:
              points += HistogramChunks.decode(data, start, end, ts);
              break;
            case FLOAT_HISTOGRAM:
              points += HistogramChunks.decodeFloat(data, start, end, ts);
              break;
            default:
              throw new IOException("chunk encoding " + chunk.getType() + " is not supported");
          }
        }
        if (points > 0) {
          out.add(ts.build());
        }
      }
    }
  }

  /** Appends the samples of one XOR chunk within [start, end]; returns how many. */
  static int decode(byte[] data, long start, long end, TimeSeries.Builder out) throws IOException {
    if (data.length < 2) {
      throw new IOException("XOR chunk too short");
    }
    int n = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
    BitReader r = new BitReader(data, 2);
    long t = 0;
    long tDelta = 0;
    XorValue v = new XorValue();
    int kept = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0) {
        t = r.readVarint();
        v.bits = r.readBits(64);
      } else if (i == 1) {
        tDelta = r.readUvarint();
        t += tDelta;
      } else {
        long dod = readDod(r);
        tDelta += dod;
        t += tDelta;
      }
      if (i > 0) {
        v.readNext(r);
      }
      if (t >= start && t <= end) {
        out.sample(t, Double.longBitsToDouble(v.bits));
        kept++;
      }
    }
    return kept;
  }

  /**
   * A float XOR-ed with the previous one, as the XOR chunk and the histogram chunk's sum store it:
   * a 0 bit for "unchanged", else the changed bits, reusing the previous leading/trailing zero
   * counts (bit 0) or giving new ones (bit 1).
   */
  static final class XorValue {
    long bits;
    private int leading;
    private int trailing;

    void readNext(BitReader r) throws IOException {
      if (!r.readBit()) {
        return;
      }
      if (r.readBit()) {
        leading = (int) r.readBits(5);
        int sig = (int) r.readBits(6);
        if (sig == 0) {
          sig = 64;
        }
        trailing = 64 - leading - sig;
      }
      int sig = 64 - leading - trailing;
      bits ^= r.readBits(sig) << trailing;
    }
  }

  private static long readDod(BitReader r) throws IOException {
    int prefix = 0;
    while (prefix < 4 && r.readBit()) {
      prefix++;
    }
    int size;
    switch (prefix) {
      case 0:
        return 0;
      case 1:
        size = 14;
        break;
      case 2:
        size = 17;
        break;
      case 3:
        size = 20;
        break;
      default:
        return r.readBits(64);
    }
    long bits = r.readBits(size);
    if (bits > (1L << (size - 1))) {
      bits -= 1L << size;
    }
    return bits;
  }

  private static long readUvarint(InputStream in) throws IOException {
    long x = 0;
    int shift = 0;
    for (int i = 0; ; i++) {
      int b = in.read();
      if (b < 0) {
        if (i == 0) {
          return -1;
        }
        throw new IOException("truncated frame length");
      }
      x |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return x;
      }
      shift += 7;
      if (shift > 63) {
        throw new IOException("frame length overflows");
      }
    }
  }

  /** Reads bits most-significant first, as Go's bstream writes them. */
  static final class BitReader {
    private final byte[] data;
    private long pos; // in bits

    BitReader(byte[] data, int byteOffset) {
      this.data = data;
      this.pos = byteOffset * 8L;
    }

    boolean readBit() throws IOException {
      return readBits(1) == 1;
    }

    long readBits(int n) throws IOException {
      long v = 0;
      for (int i = 0; i < n; i++) {
        int byteIdx = (int) (pos >>> 3);
        if (byteIdx >= data.length) {
          throw new IOException("XOR chunk ends early");
        }
        int bit = (data[byteIdx] >>> (7 - (int) (pos & 7))) & 1;
        v = (v << 1) | bit;
        pos++;
      }
      return v;
    }

    long readUvarint() throws IOException {
      long x = 0;
      int shift = 0;
      while (true) {
        long b = readBits(8);
        x |= (b & 0x7f) << shift;
        if (b < 0x80) {
          return x;
        }
        shift += 7;
      }
    }

    long readVarint() throws IOException {
      long ux = readUvarint();
      return (ux >>> 1) ^ -(ux & 1);
    }
  }
}
