package app;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;

/** Parses durations given on the command line in the HOCON form used everywhere else ({@code 90s}, {@code 5m}). */
final class Durations {

  private Durations() {}

  static Duration parse(String option, String value) {
    try {
      return ConfigFactory.empty().withValue("d", ConfigValueFactory.fromAnyRef(value)).getDuration("d");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(option + ": invalid duration [" + value + "]; expected e.g. 90s or 5m");
    }
  }
}
