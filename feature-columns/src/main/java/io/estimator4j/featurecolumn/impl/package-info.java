/**
 * Implementation details of the feature columns (exact op names, sparse inputs, embedding lookups);
 * not part of the API and may change without notice.
 */
package io.estimator4j.featurecolumn.impl;
