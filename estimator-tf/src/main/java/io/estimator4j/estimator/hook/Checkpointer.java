package io.estimator4j.estimator.hook;

import java.io.IOException;
import org.tensorflow.Session;

/** Saves one checkpoint of a session atomically and returns its prefix. */
@FunctionalInterface
public interface Checkpointer {
  String save(Session session, long globalStep) throws IOException;
}
