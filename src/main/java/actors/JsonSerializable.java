package actors;

/**
 * Marker for every message and event that may cross a node boundary or reach the journal. It is
 * bound to Pekko's Jackson JSON serializer in application.conf, so nothing relies on Java serialization.
 */
public interface JsonSerializable {}
