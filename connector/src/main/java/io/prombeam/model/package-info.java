/**
 * The data model shared by every sink and source: label sets, time series with their samples, the
 * metadata of metric families, and the validation rules Prometheus applies to them.
 */
package io.prombeam.model;
