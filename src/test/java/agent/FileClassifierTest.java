package agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileClassifierTest {

  private final FileClassifier classifier = new FileClassifier(Fixtures.profile());

  /** Days before {@link Fixtures#NOW} that the file was last modified; old-backup-days is 14. */
  @ParameterizedTest(name = "{0} ({1} days) -> {2}")
  @CsvSource({
      // Rotated and compressed logs.
      "/var/log/nginx/access.log.1,              1,  rotated-log,   true",
      "/var/log/nginx/access.log.2.gz,           3,  rotated-log,   true",
      "/var/log/syslog.1,                        1,  rotated-log,   true",
      "/var/log/syslog-20241126,                 8,  rotated-log,   true",
      "/var/log/apache2/access.log-20241201.gz,  3,  rotated-log,   true",
      "/var/log/mysql/error.gz,                  5,  rotated-log,   true",
      "/home/deploy/app/debug.log.3.gz,          5,  rotated-log,   true",
      "/var/www/blog/storage/logs/laravel-2024-11-30.log, 4, rotated-log, true",
      // Caches.
      "/var/www/shop/wp-content/cache/page_enhanced/index.html_gzip, 40, cache, true",
      "/var/www/shop/wp-content/cache/object/000/cache.php,         2, cache, true",
      "/var/www/blog/storage/framework/cache/data/ab/cd/abcd,       1, cache, true",
      "/var/cache/nginx/fastcgi/7/a1/9f3d1c0b2e4a,                  1, cache, true",
      "/var/cache/apt/archives/linux-image.deb,                    30, cache, true",
      // Backups.
      "/var/backups/mysql/shop-2024-11-08.sql.gz, 26, old-backup,    true",
      "/var/backups/mysql/shop-2024-12-03.sql.gz,  1, recent-backup, false",
      "/home/backups/site.tar.gz,                 20, old-backup,    true",
      "/root/shop-before-upgrade.zip,             60, old-backup,    true",
      "/srv/export.bak,                            3, recent-backup, false",
      // Core dumps, also inside a web root.
      "/var/www/shop/core,                         0, core-dump,     true",
      "/tmp/core.48211,                            0, core-dump,     true",
      // Protected: databases, whatever the name.
      "/var/lib/mysql/ibdata1,                     0, database,      false",
      "/var/lib/mysql/ib_logfile0,                 0, database,      false",
      "/var/lib/mysql/mysql-bin.000412,           30, database,      false",
      "/var/lib/mysql/shop/wp_posts.ibd,           0, database,      false",
      "/var/lib/mysql/old-dump.sql.gz,            90, database,      false",
      "/var/lib/mysql/core,                        0, database,      false",
      "/var/lib/postgresql/15/main/base/16384/2619, 0, database,     false",
      // Protected: uploads, even archives and logs.
      "/var/www/shop/wp-content/uploads/backup-archive.gz,    90, upload, false",
      "/var/www/shop/wp-content/uploads/2024/06/video.mp4,     5, upload, false",
      "/var/www/shop/wp-content/uploads/wc-logs/fatal.log.1,  20, upload, false",
      "/var/www/blog/storage/app/public/invoices.zip,         90, upload, false",
      // Protected: active logs.
      "/var/log/nginx/access.log,                  0, active-log,    false",
      "/var/log/syslog,                            0, active-log,    false",
      "/var/www/blog/storage/logs/laravel.log,     0, active-log,    false",
      "/var/www/shop/wp-content/debug.log,         2, active-log,    false",
      "/var/www/blog/storage/logs/laravel-2024-12-04.log, 0, active-log, false",
      // Protected: journal and application code.
      "/var/log/journal/4b6f/system.journal,       0, journal,       false",
      "/var/www/shop/wp-content/plugins/big/lib.js, 90, application, false",
      "/var/www/shop/old-site-2023.zip,           400, application,  false",
      "/var/www/blog/vendor/symfony/cache/Adapter.php, 90, application, false",
      "/srv/www/site/index.php,                   90, application,   false",
      // Unknown.
      "/home/deploy/Downloads/node-v20.tar.xz,     3, unknown,       false",
      "/opt/app/data.bin,                          3, unknown,       false",
  })
  void classifies(String path, int ageDays, String category, boolean deletable) {
    long modified = Fixtures.NOW.minus(Duration.ofDays(ageDays)).minusSeconds(60).getEpochSecond();

    FileClassifier.Classification verdict = classifier.classify(path, modified, Fixtures.NOW);

    assertThat(verdict.category()).as(path).isEqualTo(category);
    assertThat(verdict.deletable()).as(path).isEqualTo(deletable);
    assertThat(verdict.reason()).as(path).isNotBlank();
  }

  @Test
  void activeLogReasonSaysTruncate() {
    FileClassifier.Classification verdict = classifier.classify("/var/log/nginx/error.log", 0, Fixtures.NOW);

    assertThat(verdict.reason()).isEqualTo("active log: truncate, don't delete, the process holds it open");
    assertThat(verdict.isProtected()).isTrue();
  }

  @Test
  void unknownIsNeitherDeletableNorProtected() {
    FileClassifier.Classification verdict = classifier.classify("/opt/thing.img", 0, Fixtures.NOW);

    assertThat(verdict.reason()).isEqualTo("unclassified, review by hand");
    assertThat(verdict.deletable()).isFalse();
    assertThat(verdict.isProtected()).isFalse();
  }

  @Test
  void rootSiblingsAreNotUnderRoot() {
    assertThat(FileClassifier.under("/var/lib/mysql-files/x", java.util.List.of("/var/lib/mysql"))).isFalse();
    assertThat(FileClassifier.under("/var/lib/mysql/x", java.util.List.of("/var/lib/mysql"))).isTrue();
  }
}
