package io.prombeam.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options the synthetic-traffic examples share (one definition: Beam forbids conflicting ones). */
public interface DemoOptions extends PipelineOptions {
  @Description("Remote-write URL, e.g. http://127.0.0.1:9090/api/v1/write")
  @Validation.Required
  String getRemoteWriteUrl();

  void setRemoteWriteUrl(String value);

  @Description("Number of synthetic HTTP request events")
  @Default.Long(200_000)
  long getNumEvents();

  void setNumEvents(long value);

  @Description("Event time span, in minutes before now, over which events are spread")
  @Default.Integer(10)
  int getMinutes();

  void setMinutes(int value);

  @Description("Value of the job label on every series written")
  @Default.String("prombeam_demo")
  String getJobLabel();

  void setJobLabel(String value);
}
