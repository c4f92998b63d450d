/**
 * The sources: PromQL {@code query_range} and {@code remote_read} (bounded), scraping exporters and
 * a remote-write receiver (unbounded).
 */
package io.prombeam.source;
