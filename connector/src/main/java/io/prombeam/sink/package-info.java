/**
 * Plumbing every prombeam sink shares: validation of series into a valid output and a failure
 * output, and routing of failures to Beam's dead-letter {@code ErrorHandler}.
 */
package io.prombeam.sink;
