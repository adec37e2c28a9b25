package app;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;

/**
 * A web server's file tree under a temporary root, with real files of real sizes: logs, backups,
 * database files, site code and uploads, access logs with an abusive client, a broken nginx
 * configuration and a CPU hog script under a site. The end-to-end tests point the stack profile
 * and the command policy at this root.
 */
final class HostFixture {

  static final String ABUSIVE_IP = "203.0.113.45";
  static final String BROKEN_DIRECTIVE = "proxy_passs";
  static final int BROKEN_LINE = 14;

  private static final int MIB = 1024 * 1024;

  final Path root;

  private HostFixture(Path root) {
    this.root = root;
  }

  static HostFixture create(Path root) throws IOException {
    HostFixture fixture = new HostFixture(root);
    fixture.writeDiskFiles();
    fixture.writeAccessLogs();
    fixture.writeNginxConfig();
    fixture.writeSiteCode();
    return fixture;
  }

  Path path(String relative) {
    return root.resolve(relative);
  }

  /** Absolute path as a string, for configuration. */
  String abs(String relative) {
    return path(relative).toString();
  }

  // ---- disk ----

  private void writeDiskFiles() throws IOException {
    Instant now = Instant.now();
    writeBytes("var/log/nginx/access.log.2.gz", 6 * MIB, now.minus(Duration.ofDays(2)));
    writeBytes("var/log/nginx/error.log.1", 3 * MIB, now.minus(Duration.ofDays(1)));
    writeBytes("var/backups/shop-2026-09-01.sql.gz", 12 * MIB, now.minus(Duration.ofDays(90)));
    writeBytes("var/backups/shop-today.sql.gz", 2 * MIB, now);
    writeBytes("var/lib/mysql/ibdata1", 16 * MIB, now);
    writeBytes("var/lib/mysql/shop/wp_posts.ibd", 4 * MIB, now);
    writeBytes("var/www/shop/wp-content/uploads/2026/11/launch-video.mp4", 5 * MIB, now);
    writeBytes("var/www/shop/wp-content/cache/page-cache.bin", 3 * MIB, now);
  }

  /** Writes incompressible bytes, so that du and find see the real size. */
  private void writeBytes(String relative, int size, Instant modified) throws IOException {
    Path file = path(relative);
    Files.createDirectories(file.getParent());
    byte[] block = new byte[64 * 1024];
    new Random(relative.hashCode()).nextBytes(block);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int written = 0; written < size; written += block.length) {
        out.write(block, 0, Math.min(block.length, size - written));
      }
    }
    Files.setLastModifiedTime(file, FileTime.from(modified));
  }

  // ---- access logs ----

  private void writeAccessLogs() throws IOException {
    Path dir = path("var/log/nginx");
    Files.createDirectories(dir);
    DateTimeFormatter time = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
    Instant start = Instant.now().minus(Duration.ofMinutes(30));
    Random random = new Random(42);
    String[] paths = {"/", "/shop/", "/product/blue-mug/", "/cart/", "/wp-content/themes/shop/style.css", "/checkout/"};
    String browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

    StringBuilder log = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      String stamp = time.format(start.plusMillis(i * 600L));
      if (i % 5 < 3) {
        log.append(ABUSIVE_IP).append(" - - [").append(stamp).append("] \"POST /xmlrpc.php HTTP/1.1\" 200 412 \"-\" ")
            .append("\"Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1)\"\n");
      } else {
        String client = "198.51.100." + (10 + random.nextInt(40));
        String page = paths[random.nextInt(paths.length)];
        log.append(client).append(" - - [").append(stamp).append("] \"GET ").append(page)
            .append(" HTTP/2.0\" 200 ").append(1000 + random.nextInt(50000)).append(" \"https://shop.example.com/\" \"")
            .append(browser).append("\"\n");
      }
    }
    Files.writeString(dir.resolve("access.log"), log, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("error.log"),
        "2026/12/04 09:12:01 [error] 812#812: *4411 upstream timed out (110: Connection timed out) while reading "
            + "response header from upstream, client: 198.51.100.20, server: shop.example.com\n",
        StandardCharsets.UTF_8);
  }

  // ---- nginx ----

  /**
   * A site configuration with a misspelled directive, and an {@code nginx} stand-in that prints
   * what nginx 1.22 prints for it: nginx is not installed on the test machines.
   */
  private void writeNginxConfig() throws IOException {
    Path site = path("etc/nginx/sites-enabled/shop.conf");
    Files.createDirectories(site.getParent());
    StringBuilder config = new StringBuilder();
    String[] lines = {
        "server {", "    listen 80;", "    server_name shop.example.com;", "    root /var/www/shop;", "",
        "    index index.php;", "", "    location / {", "        try_files $uri $uri/ /index.php?$args;", "    }", "",
        "    location /api/ {", "        proxy_set_header Host $host;",
        "        " + BROKEN_DIRECTIVE + " http://127.0.0.1:9000;", "    }", "}"};
    for (String line : lines) {
      config.append(line).append('\n');
    }
    Files.writeString(site, config, StandardCharsets.UTF_8);

    String nginx = "#!/bin/sh\n"
        + "# Stand-in for nginx -t on a host whose configuration is broken.\n"
        + "if [ -f \"" + abs("gate") + ".closed\" ]; then\n"
        + "  while [ ! -f \"" + abs("gate") + "\" ]; do sleep 0.1; done\n"
        + "fi\n"
        + "echo 'nginx: [emerg] unknown directive \"" + BROKEN_DIRECTIVE + "\" in " + site + ":" + BROKEN_LINE + "' >&2\n"
        + "echo 'nginx: configuration file " + abs("etc/nginx/nginx.conf") + " test failed' >&2\n"
        + "exit 1\n";
    writeScript("bin/nginx", nginx);
  }

  /** Makes the nginx stand-in wait until {@link #openGate()} is called. */
  void closeGate() throws IOException {
    Files.deleteIfExists(path("gate"));
    Files.writeString(path("gate.closed"), "");
  }

  void openGate() throws IOException {
    Files.writeString(path("gate"), "");
  }

  // ---- processes ----

  private void writeSiteCode() throws IOException {
    Files.createDirectories(path("var/www/shop"));
    Files.writeString(path("var/www/shop/index.php"), "<?php require __DIR__ . '/wp-blog-header.php';\n");
    writeScript("var/www/shop/wp-cron.php", "#!/bin/sh\n# A runaway cron job: spins on one core.\nwhile :; do :; done\n");
  }

  /** Starts the runaway cron script of the shop site; the caller stops it. */
  Process startCpuHog() throws IOException {
    return new ProcessBuilder("/bin/sh", abs("var/www/shop/wp-cron.php"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private void writeScript(String relative, String content) throws IOException {
    Path script = path(relative);
    Files.createDirectories(script.getParent());
    Files.writeString(script, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** HOCON for the stack profile and the command policy, pointed at this tree. */
  String profileConfig() {
    return """
        fleet-sre.stack-profile {
          disk-roots = ["%1$s/var/log", "%1$s/var/www", "%1$s/var/backups", "%1$s/var/lib/mysql"]
          web-roots = ["%1$s/var/www"]
          log-dirs = ["%1$s/var/log/nginx"]
          error-logs = ["%1$s/var/log/nginx/error.log"]
          backup-dirs = ["%1$s/var/backups"]
          database-dirs = ["%1$s/var/lib/mysql"]
          config-tests = { nginx = ["%1$s/bin/nginx", "-t"] }
          large-file-min-kb = 1024
        }
        fleet-sre.command-policy {
          path-prefixes = ["%1$s", "/proc/loadavg", "/proc/meminfo"]
          extra-binaries = ["%1$s/bin/nginx"]
        }
        """.formatted(root);
  }
}
