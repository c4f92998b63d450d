/**
 * The Beam counters prombeam's transforms keep ({@link io.prombeam.counters.PrombeamCounter}), and
 * how to read them from a pipeline's result ({@link io.prombeam.counters.PrombeamCounters}).
 */
package io.prombeam.counters;
