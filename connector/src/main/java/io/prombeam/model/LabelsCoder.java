package io.prombeam.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Deterministic coder for {@link Labels}, so label sets can be grouping keys. */
public final class LabelsCoder extends AtomicCoder<Labels> {
  private static final long serialVersionUID = 1L;
  private static final LabelsCoder INSTANCE = new LabelsCoder();

  /** The coder. */
  public static LabelsCoder of() {
    return INSTANCE;
  }

  /** Registers this coder for {@link Labels}, found by Beam through {@code @DefaultCoder}. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(Labels.class), INSTANCE);
  }

  private LabelsCoder() {}

  @Override
  public void encode(Labels value, OutputStream out) throws IOException {
    TimeSeriesCoder.encodeLabels(value, out);
  }

  @Override
  public Labels decode(InputStream in) throws IOException {
    return TimeSeriesCoder.decodeLabels(in);
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean consistentWithEquals() {
    return true;
  }
}
