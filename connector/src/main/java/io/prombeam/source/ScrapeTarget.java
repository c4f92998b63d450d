package io.prombeam.source;

import java.io.Serializable;
import java.util.Objects;
import okhttp3.HttpUrl;

/** A scrape target: its metrics URL and the {@code job} and {@code instance} labels it gets. */
public final class ScrapeTarget implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String url;
  private final String job;
  private final String instance;

  private ScrapeTarget(String url, String job, String instance) {
    this.url = url;
    this.job = job;
    this.instance = instance;
  }

  /** {@code instance} defaults to the URL's host:port, as in Prometheus. */
  public static ScrapeTarget of(String url, String job) {
    HttpUrl u = HttpUrl.get(url);
    return new ScrapeTarget(url, job, u.host() + ":" + u.port());
  }

  /** A target with an explicit {@code instance} label. */
  public static ScrapeTarget of(String url, String job, String instance) {
    HttpUrl.get(url);
    return new ScrapeTarget(url, job, instance);
  }

  /** The URL scraped. */
  public String url() {
    return url;
  }

  /** The {@code job} label of its series. */
  public String job() {
    return job;
  }

  /** The {@code instance} label of its series. */
  public String instance() {
    return instance;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScrapeTarget
        && ((ScrapeTarget) o).url.equals(url)
        && ((ScrapeTarget) o).job.equals(job)
        && ((ScrapeTarget) o).instance.equals(instance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(url, job, instance);
  }

  @Override
  public String toString() {
    return job + "/" + instance + " " + HttpUrl.get(url).redact();
  }
}
