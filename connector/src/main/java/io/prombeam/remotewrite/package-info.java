/**
 * The remote-write sink: series encoded as Prometheus remote-write requests (protobuf + snappy),
 * merged and ordered per series for bounded input, reordered by the watermark for unbounded input,
 * and sent with bounded concurrency and retries. Also the wire codec the sources share.
 */
package io.prombeam.remotewrite;
