package io.prombeam.pushgateway;

/** How a push treats what the group already holds (the Pushgateway's own semantics). */
public enum PushMethod {
  /** Replaces the whole group: metrics not in this push disappear from it. */
  PUT,
  /** Replaces only the metrics (by name) present in this push; others in the group stay. */
  POST
}
