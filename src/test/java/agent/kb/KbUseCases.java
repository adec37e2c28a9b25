package agent.kb;

import java.util.List;
import java.util.Set;

/**
 * Retrieval queries for each use case with the articles each must and may get. The queries are
 * built as {@code KbLinkingBrain} builds them (alert kind in words, alert summary, insight summary,
 * root cause), from the insights of the shipped evaluation cases and a few more incidents.
 */
final class KbUseCases {

  static final String DISK_LOGS = "disk-full-logs-caches-backups";
  static final String DISK_DATABASE = "disk-full-database-growth";
  static final String INODES = "inode-exhaustion";
  static final String BRUTE_FORCE = "wordpress-brute-force-xmlrpc-wp-login";
  static final String FLOODS = "request-floods-crawlers-rate-limiting";
  static final String CONFIG = "web-server-config-errors";
  static final String FPM = "php-fpm-max-children";
  static final String RUNAWAY = "runaway-processes-wp-cron";
  static final String MEMORY = "high-load-memory-oom-killer";
  static final String MYSQL_CONNECTIONS = "mysql-too-many-connections";
  static final String TLS = "tls-certificate-expiry-renewal";
  static final String UPSTREAM = "upstream-timeouts-502-504";

  static final Set<String> ALL = Set.of(DISK_LOGS, DISK_DATABASE, INODES, BRUTE_FORCE, FLOODS, CONFIG, FPM, RUNAWAY,
      MEMORY, MYSQL_CONNECTIONS, TLS, UPSTREAM);

  /**
   * One incident.
   *
   * @param name the use case, for messages
   * @param query the retrieval query
   * @param first the article that must rank first
   * @param related articles that may also be linked; every other article must not be
   */
  record UseCase(String name, String query, String first, Set<String> related) {}

  private KbUseCases() {}

  static List<UseCase> all() {
    return List.of(
        new UseCase("disk full of backups and rotated logs",
            "Node Filesystem Almost Out Of Space. Filesystem / on web-03 has less than 5% space left. Filesystem / "
                + "(/dev/vda1) is 99% full, 983.6 MiB available of 77.5 GiB. The largest directory is "
                + "/var/backups/mysql (37.2 GiB). 47.1 GiB can be reclaimed by deleting 172 files (rotated logs, old "
                + "backups). /var/backups/mysql holds 37.2 GiB of the 72.6 GiB used on /. 172 deletable files hold "
                + "47.1 GiB in total.",
            DISK_LOGS, Set.of(DISK_DATABASE, INODES)),
        new UseCase("disk full of nginx cache",
            "Host Disk Full. Disk / is 98% full on media-01. Filesystem / (/dev/sda1) is 98% full, 2.4 GiB available "
                + "of 98.3 GiB. The largest directory is /var/cache/nginx/fastcgi (79.0 GiB). 10.8 GiB can be "
                + "reclaimed by deleting 94 files (rotated logs, cache files). /var/cache/nginx/fastcgi holds 79.0 GiB "
                + "of the 90.9 GiB used on /. 94 deletable files hold 10.8 GiB in total.",
            DISK_LOGS, Set.of(DISK_DATABASE, INODES)),
        new UseCase("disk full of MySQL binary logs",
            "Host Disk Full. Disk /var/lib/mysql is 97% full on db-02. Filesystem /var/lib/mysql (/dev/vdb1) is 97% "
                + "full, 1.1 GiB available of 40.0 GiB. The largest directory is /var/lib/mysql (36.4 GiB); binary "
                + "logs mysql-bin.000412 to mysql-bin.000980 hold 31.0 GiB. Binary logs are never expired, so the "
                + "database directory grows every day.",
            DISK_DATABASE, Set.of(DISK_LOGS, INODES)),
        new UseCase("inodes exhausted by cache files",
            "Host Out Of Inodes. Host out of inodes (instance web-08). Filesystem / (/dev/vda1) is 75% full, 18.8 GiB "
                + "available of 78.7 GiB. Inodes on / are 100% used (5242880 of 5242880). "
                + "/var/www/shop/wp-content/cache holds 4,917,331 inodes (files and directories), 93.8% of the "
                + "5,242,880 in use on /. /var/www/shop/wp-content/cache holds 4,917,331 of the 5,242,880 inodes in "
                + "use on /: very many small files fill its inode table, so new files cannot be created although "
                + "blocks are free.",
            INODES, Set.of(DISK_LOGS, DISK_DATABASE)),
        new UseCase("brute force on xmlrpc.php",
            "Nginx High Request Rate. nginx on web-02 serves 4.2 requests/s, 6 times its usual rate. Client "
                + "203.0.113.77 sent 60.2% of the requests in the last 570 minutes of the log, mostly to /xmlrpc.php "
                + "on /var/log/nginx/access.log. Abused paths: /xmlrpc.php, /wp-login.php, /.env. 203.0.113.77 sends "
                + "8919 requests (60.2%) to /xmlrpc.php, far more than any browser.",
            BRUTE_FORCE, Set.of(FLOODS)),
        new UseCase("aggressive crawler",
            "Website High Traffic. blog.example.org serves 5 times its usual request rate. The crawler Bytespider "
                + "sent 5200 requests (64.2%) from 12 addresses in /var/log/nginx/access.log, mostly to /. No single "
                + "address stands out. Known bots: Bytespider. The crawler Bytespider sent 5200 requests (64.2%) from "
                + "12 addresses in /var/log/nginx/access.log, mostly to /, so blocking addresses does not help: its "
                + "user agent is the cause.",
            FLOODS, Set.of(BRUTE_FORCE)),
        new UseCase("nginx unknown directive",
            "Nginx Down. nginx on web-04 is down. nginx cannot start or reload: its configuration test fails at "
                + "/etc/nginx/sites-enabled/shop.example.com.conf:27 (unknown directive \"ssl_stapling_verfy\"). "
                + "Not installed: apache. Line 27 of /etc/nginx/sites-enabled/shop.example.com.conf: unknown "
                + "directive \"ssl_stapling_verfy\" (directive ssl_stapling_verfy).",
            CONFIG, Set.of()),
        new UseCase("PHP-FPM pool with an invalid entry",
            "Php Fpm Down. php8.2-fpm on web-06 is not running; shop.example.com answers 502. php-fpm cannot start or "
                + "reload: its configuration test fails at /etc/php/8.2/fpm/pool.d/shop.conf:23 (unknown entry "
                + "'pm.max_spare_server'). Not installed: apache. Line 23 of /etc/php/8.2/fpm/pool.d/shop.conf: "
                + "unknown entry 'pm.max_spare_server' (directive pm.max_spare_server).",
            CONFIG, Set.of(FPM, UPSTREAM)),
        new UseCase("runaway wp-cron",
            "Host High Cpu Load. CPU load is > 80% on web-05. The top CPU user is shop with 11 processes; the single "
                + "largest is PID 2210402 (php /var/www/shop/wp-cron.php; user shop, site shop, wp-cron) at 98.7% CPU "
                + "and 2.5% memory (195.7 MiB RSS), running 44 min. Load average 3.41 / 3.12 / 2.20 (1, 5, 15 min), "
                + "5 of 231 tasks running. shop: 11 processes use 294.7% CPU and 12.1% memory (952.5 MiB RSS) "
                + "together.",
            RUNAWAY, Set.of(MEMORY, FPM)),
        new UseCase("mysqld out of memory",
            "Host Out Of Memory. Host out of memory (instance db-web-01). The top memory user is PID 741 "
                + "(/usr/sbin/mysqld; user mysql, service mysql) at 38.4% CPU and 70.6% memory (5.5 GiB RSS), running "
                + "39 days. Load average 2.87 / 2.64 / 2.51 (1, 5, 15 min), 3 of 244 tasks running. Memory available "
                + "3.9% (311.4 MiB of 7.8 GiB), swap used 83.7%. PID 741 (/usr/sbin/mysqld; user mysql, service "
                + "mysql) at 38.4% CPU and 70.6% memory (5.5 GiB RSS), running 39 days.",
            MEMORY, Set.of(RUNAWAY, MYSQL_CONNECTIONS)),
        new UseCase("PHP-FPM at pm.max_children",
            "Php Fpm Max Children Reached. PHP-FPM pool shop on web-06 reached pm.max_children. PHP-FPM pool shop "
                + "reached pm.max_children (10) 42 times in /var/log/php8.2-fpm.log; Connecting to the upstream "
                + "fastcgi://unix:/run/php/php8.2-fpm-shop.sock failed (Resource temporarily unavailable) 92 times in "
                + "/var/log/nginx/error.log. PHP-FPM pool shop runs out of workers: it reached pm.max_children (10) "
                + "42 times, so further requests wait in its listen queue until the web server gives up.",
            FPM, Set.of(UPSTREAM, CONFIG)),
        new UseCase("MySQL too many connections",
            "Mysql Too Many Connections. MySQL too many connections (> 80%) (instance web-07). 4 things stand out: "
                + "MySQL refused connections with \"Too many connections\" 200 times in /var/log/nginx/error.log "
                + "(server blog.example.org); Load average 6.21 over the last minute (threshold 4.0); PID 741 "
                + "(/usr/sbin/mariadbd, user mysql) uses 187.3% CPU. MySQL reached max_connections: new connections "
                + "fail with \"Too many connections\" (error 1040), so the sites cannot reach their database.",
            MYSQL_CONNECTIONS, Set.of(MEMORY, FPM, UPSTREAM, DISK_DATABASE)),
        new UseCase("TLS certificate expiring",
            "Ssl Certificate Expiring Soon. SSL certificate for shop.example.com expires in less than 7 days. The "
                + "certificate for shop.example.com (/etc/letsencrypt/live/shop.example.com/cert.pem) expires on "
                + "2026-12-09 07:41 UTC, in 4 days. The other 2 certificates are valid for more than 21 days. certbot "
                + "renews 30 days before expiry, so the automatic renewal of shop.example.com has been failing for 26 "
                + "days.",
            TLS, Set.of()),
        new UseCase("upstream timeouts behind 504",
            "Nginx High Http 5xx Error Rate. Nginx high HTTP 5xx error rate (instance web-09). 10.3% of the requests "
                + "(659 of 6407) got a 5xx status (504: 659). Requests to the upstream "
                + "fastcgi://unix:/run/php/php8.2-fpm-shop.sock timed out 200 times in /var/log/nginx/error.log "
                + "(server shop.example.com). PHP-FPM logged 50 slow requests of /var/www/shop/index.php (most often "
                + "\"POST /index.php?wc-ajax=checkout\") in /var/log/php8.2-fpm.log. No client floods the site. "
                + "Requests to the upstream timed out 200 times: it answers too slowly, so clients get 504 Gateway "
                + "Timeout.",
            UPSTREAM, Set.of(FPM)));
  }
}
