package io.prombeam.sink;

import io.prombeam.model.*;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.TypeDescriptor;

/** Coder for {@link WriteFailure}, built on {@link TimeSeriesCoder}. */
public final class WriteFailureCoder extends AtomicCoder<WriteFailure> {
  private static final long serialVersionUID = 1L;
  private static final WriteFailureCoder INSTANCE = new WriteFailureCoder();
  private static final FailureReason[] REASONS = FailureReason.values();
  private static final SeriesRule[] RULES = SeriesRule.values();

  /** The coder. */
  public static WriteFailureCoder of() {
    return INSTANCE;
  }

  /** Lets {@code @DefaultCoder} on {@link WriteFailure} find this coder. */
  public static CoderProvider getCoderProvider() {
    return CoderProviders.forCoder(TypeDescriptor.of(WriteFailure.class), INSTANCE);
  }

  private WriteFailureCoder() {}

  @Override
  public void encode(WriteFailure f, OutputStream out) throws IOException {
    TimeSeriesCoder.of().encode(f.series(), out);
    VarInt.encode(f.reason().ordinal(), out);
    VarInt.encode(f.rule() == null ? 0 : f.rule().ordinal() + 1, out);
    VarInt.encode(f.httpStatus(), out);
    TimeSeriesCoder.encodeString(f.message(), out);
    VarInt.encode(f.attempts(), out);
  }

  @Override
  public WriteFailure decode(InputStream in) throws IOException {
    TimeSeries series = TimeSeriesCoder.of().decode(in);
    int reason = VarInt.decodeInt(in);
    int rule = VarInt.decodeInt(in);
    if (reason >= REASONS.length || rule > RULES.length) {
      throw new CoderException("corrupt WriteFailure: reason " + reason + ", rule " + rule);
    }
    int status = VarInt.decodeInt(in);
    String message = TimeSeriesCoder.decodeString(in);
    int attempts = VarInt.decodeInt(in);
    return new WriteFailure(
        series, REASONS[reason], rule == 0 ? null : RULES[rule - 1], status, message, attempts);
  }

  @Override
  public void verifyDeterministic() {}
}
