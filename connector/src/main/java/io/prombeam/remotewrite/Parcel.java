package io.prombeam.remotewrite;

import io.prombeam.model.TimeSeries;
import io.prombeam.model.TimeSeriesCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Series parts waiting in a shard's reorder buffer, with the processing time they arrived at: the
 * unit the buffer keeps, releases and, for what is not released yet, writes back as it was.
 */
final class Parcel {
  final long arrivalMillis;
  final List<TimeSeries> series;

  Parcel(long arrivalMillis, List<TimeSeries> series) {
    this.arrivalMillis = arrivalMillis;
    this.series = series;
  }

  /** Codes a parcel as its arrival time and its series. */
  static final class Coder extends AtomicCoder<Parcel> {
    private static final long serialVersionUID = 1L;
    static final Coder INSTANCE = new Coder();
    private static final ListCoder<TimeSeries> SERIES = ListCoder.of(TimeSeriesCoder.of());

    @Override
    public void encode(Parcel p, OutputStream out) throws IOException {
      VarLongCoder.of().encode(p.arrivalMillis, out);
      SERIES.encode(p.series, out);
    }

    @Override
    public Parcel decode(InputStream in) throws IOException {
      return new Parcel(VarLongCoder.of().decode(in), SERIES.decode(in));
    }
  }
}
