package fleet;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * Key pairs for SSH tests. ECDSA P-256, because the JDK generates it without extra providers
 * (ed25519 in MINA needs net.i2p eddsa or Bouncy Castle, which are not on the classpath).
 */
public final class TestKeys {

  private TestKeys() {}

  /** A client key pair and the OpenSSH private key file that contains it. */
  public record ClientKey(KeyPair keyPair, Path privateKeyFile) {}

  public static KeyPair generate() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** Generates a key pair and writes its private key, unencrypted and readable by the owner only, to {@code directory/name}. */
  public static ClientKey writeClientKey(Path directory, String name) throws IOException, GeneralSecurityException {
    KeyPair keyPair = generate();
    Path file = directory.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, "fleet-sre test key", null, out);
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return new ClientKey(keyPair, file);
  }
}
