package agent;

/** The model endpoint could not be reached or kept failing after every retry. */
public final class ModelUnavailableException extends RuntimeException {

  public ModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
