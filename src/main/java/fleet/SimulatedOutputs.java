package fleet;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Renders plausible output of the playbooks' diagnostic commands for one simulated host, as a
 * Debian LEMP server with WordPress sites prints it. Every number and choice comes from a random
 * generator seeded with the host name and the fleet seed, so a host returns the same output for the
 * same command on every call and in every run on the same day (timestamps count back from the start
 * of the current UTC day).
 *
 * <p>Each host has one problem that the playbooks can find: a nearly full root filesystem filled
 * by rotated logs, old backups, a cache or a core dump; a busy {@code wp-cron.php} process; a
 * client hammering {@code /wp-login.php}; or, on some hosts, an nginx configuration that fails its test.
 */
final class SimulatedOutputs {

  /** Rendered output of one command, before the output cap. */
  record Rendered(int exitCode, String stdout, String stderr) {}

  private static final DateTimeFormatter ACCESS_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter NGINX_TIME =
      DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter FPM_TIME =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ENGLISH).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SYSLOG_TIME =
      DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  /** Directories that exist on every simulated host; {@code du} and {@code find} report any other root as missing. */
  private static final List<String> EXISTING_ROOTS = List.of("/var/log", "/var/www", "/var/backups", "/var/cache",
      "/var/lib/mysql", "/home", "/tmp", "/var/log/nginx");

  private static final List<String> SITES = List.of("shop", "blog", "news", "docs", "forum", "agency");

  private static final List<String> USER_AGENTS = List.of(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
      "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
      "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0");

  private static final List<String> PATHS = List.of("/", "/shop/", "/blog/", "/wp-content/themes/main/style.css",
      "/wp-admin/admin-ajax.php", "/feed/", "/product/blue-mug/", "/favicon.ico");

  private static final Pattern SUDO_FLAG = Pattern.compile("-\\w+");

  /** The fault a simulated host has, which one of the playbooks can find. */
  enum Problem {
    ROTATED_LOGS, OLD_BACKUPS, CACHE, CORE_DUMP, CPU_HOG, LOGIN_FLOOD
  }

  private final String host;
  private final SplittableRandom random;
  private final Instant today;
  private final int accessLogLines;

  final Problem problem;
  final boolean nginxConfigBroken;
  private final String site;
  private final long rootSizeKb;
  private final int rootUsePercent;
  private final long problemBytes;
  private final double load1;
  private final long memTotalKb;
  private final int memAvailablePercent;
  private final int hostNumber;
  private final long hostSeed;

  SimulatedOutputs(String host, int hostNumber, long hostSeed, Instant today, int accessLogLines) {
    this.host = host;
    this.hostNumber = hostNumber;
    this.today = today;
    this.accessLogLines = accessLogLines;
    this.hostSeed = hostSeed;
    this.random = new SplittableRandom(hostSeed);
    this.problem = Problem.values()[random.nextInt(Problem.values().length)];
    this.nginxConfigBroken = random.nextInt(4) == 0;
    this.site = SITES.get(random.nextInt(SITES.size()));
    this.rootSizeKb = (40L + random.nextInt(160)) * 1024 * 1024;
    boolean diskProblem = problem.ordinal() <= Problem.CORE_DUMP.ordinal();
    this.rootUsePercent = diskProblem ? 91 + random.nextInt(9) : 35 + random.nextInt(40);
    this.problemBytes = (2L + random.nextInt(30)) * 1024 * 1024 * 1024;
    this.load1 = problem == Problem.CPU_HOG ? 6 + random.nextInt(600) / 100.0 : random.nextInt(150) / 100.0;
    this.memTotalKb = (4L << random.nextInt(3)) * 1024 * 1024;
    this.memAvailablePercent = 15 + random.nextInt(60);
  }

  /** Renders the output of {@code argv}; {@code sudo -n} in front is skipped. Unknown programs exit 127. */
  Rendered render(List<String> argv) {
    List<String> args = argv;
    if (!args.isEmpty() && args.get(0).equals("sudo")) {
      int skip = 1;
      while (skip < args.size() && SUDO_FLAG.matcher(args.get(skip)).matches()) {
        skip++;
      }
      args = args.subList(skip, args.size());
    }
    if (args.isEmpty()) {
      return new Rendered(1, "", "usage: sudo -h | -K | -k | -V\n");
    }
    String program = args.get(0);
    return switch (program) {
      case "df" -> args.contains("-i") ? dfInodes() : dfBlocks();
      case "du" -> du(rootsAfter(args, "3"));
      case "find" -> args.contains("-name") ? findAccessLogs(args) : findLargeFiles(args);
      case "ps" -> ps(args.stream().anyMatch(a -> a.equals("--sort=-rss")));
      case "cat" -> cat(args.size() > 1 ? args.get(1) : "");
      case "tail" -> tail(args);
      case "nginx" -> nginxTest();
      case "php-fpm8.2" -> new Rendered(0, "", "[" + FPM_TIME.format(today) + "] NOTICE: configuration file "
          + "/etc/php/8.2/fpm/php-fpm.conf test is successful\n\n");
      default -> new Rendered(127, "", "sh: 1: " + program + ": not found\n");
    };
  }

  // ---- filesystems ----

  private long rootUsedKb() {
    return rootSizeKb * rootUsePercent / 100;
  }

  private Rendered dfBlocks() {
    StringBuilder out = new StringBuilder("Filesystem     1024-blocks      Used Available Capacity Mounted on\n");
    dfLine(out, "udev", 2_000_000, 0, "/dev");
    dfLine(out, "tmpfs", 400_000, 1_200, "/run");
    dfLine(out, "/dev/vda1", rootSizeKb, rootUsedKb(), "/");
    dfLine(out, "tmpfs", 2_000_000, 0, "/dev/shm");
    dfLine(out, "/dev/vda15", 126_678, 11_840, "/boot/efi");
    return new Rendered(0, out.toString(), "");
  }

  private Rendered dfInodes() {
    long inodes = rootSizeKb / 16;
    long used = inodes * (10 + hostNumber % 30) / 100;
    StringBuilder out = new StringBuilder("Filesystem      Inodes   IUsed   IFree IUse% Mounted on\n");
    dfLine(out, "udev", 500_000, 420, "/dev");
    dfLine(out, "tmpfs", 500_000, 900, "/run");
    dfLine(out, "/dev/vda1", inodes, used, "/");
    dfLine(out, "tmpfs", 500_000, 1, "/dev/shm");
    out.append("/dev/vda15            0       0       0     - /boot/efi\n");
    return new Rendered(0, out.toString(), "");
  }

  /** Appends one line of {@code df -P}; the percentage is rounded up, as df does. */
  private static void dfLine(StringBuilder out, String filesystem, long size, long used, String mount) {
    long percent = size == 0 ? 0 : (used * 100 + size - 1) / size;
    out.append(String.format(Locale.ROOT, "%-14s %11d %9d %9d %7d%% %s%n", filesystem, size, used, size - used,
        percent, mount));
  }

  private static List<String> rootsAfter(List<String> args, String marker) {
    int at = args.indexOf(marker);
    return at < 0 ? List.of() : args.subList(at + 1, args.size());
  }

  /** Directory sizes in KiB below each root, children before parents as {@code du} prints them. */
  private Rendered du(List<String> roots) {
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    long problemKb = problemBytes / 1024;
    for (String root : roots) {
      if (!EXISTING_ROOTS.contains(root)) {
        err.append("du: cannot access '").append(root).append("': No such file or directory\n");
        continue;
      }
      List<String[]> children = new ArrayList<>();
      switch (root) {
        case "/var/log" -> {
          long nginxKb = 80_000 + (problem == Problem.ROTATED_LOGS ? problemKb : 0);
          children.add(new String[] {"/var/log/nginx", Long.toString(nginxKb)});
          children.add(new String[] {"/var/log/journal", "409600"});
          children.add(new String[] {"/var/log/mysql", "20480"});
        }
        case "/var/www" -> {
          long cacheKb = 40_000 + (problem == Problem.CACHE ? problemKb : 0);
          String base = "/var/www/" + site;
          children.add(new String[] {base + "/wp-content/cache", Long.toString(cacheKb)});
          children.add(new String[] {base + "/wp-content/uploads", "2048000"});
          children.add(new String[] {base + "/wp-content", Long.toString(cacheKb + 2_100_000)});
          long coreKb = problem == Problem.CORE_DUMP ? problemKb : 0;
          children.add(new String[] {base, Long.toString(cacheKb + 2_200_000 + coreKb)});
        }
        case "/var/backups" -> {
          long backupKb = 100_000 + (problem == Problem.OLD_BACKUPS ? problemKb : 0);
          children.add(new String[] {"/var/backups/mysql", Long.toString(backupKb)});
        }
        case "/var/lib/mysql" -> children.add(new String[] {"/var/lib/mysql/" + site, "3145728"});
        default -> { }
      }
      long total = 4;
      for (String[] child : children) {
        out.append(child[1]).append('\t').append(child[0]).append('\n');
        if (child[0].indexOf('/', root.length() + 1) < 0) {
          total += Long.parseLong(child[1]);
        } else if (root.equals("/var/www") && child[0].endsWith(site)) {
          total += Long.parseLong(child[1]);
        }
      }
      out.append(total).append('\t').append(root).append('\n');
    }
    return new Rendered(err.length() == 0 ? 0 : 1, out.toString(), err.toString());
  }

  /** {@code find ROOT... -xdev -type f -size +Nk -printf '%s\t%T@\t%u\t%p\n'}: large files below the roots. */
  private Rendered findLargeFiles(List<String> args) {
    List<String[]> files = new ArrayList<>();
    long day = 86_400;
    long now = today.getEpochSecond();
    files.add(new String[] {"/var/log/nginx/access.log", "www-data", "734003200", Long.toString(now - 60)});
    files.add(new String[] {"/var/lib/mysql/ibdata1", "mysql", "1073741824", Long.toString(now - 120)});
    files.add(new String[] {"/var/lib/mysql/mysql-bin.000142", "mysql", "1073741824", Long.toString(now - 3 * day)});
    files.add(new String[] {"/var/www/" + site + "/wp-content/uploads/2026/11/video.mp4", "www-data", "52428800",
        Long.toString(now - 20 * day)});
    int parts = 3 + random(1).nextInt(5);
    long each = problemBytes / parts;
    for (int i = 1; i <= parts; i++) {
      String owner = "root";
      String path = switch (problem) {
        case OLD_BACKUPS -> {
          owner = "backup";
          yield "/var/backups/mysql/" + site + "-2026-" + String.format(Locale.ROOT, "%02d", i) + "-01.sql.gz";
        }
        case CACHE -> {
          owner = "www-data";
          yield "/var/www/" + site + "/wp-content/cache/page-" + i + ".html.gz";
        }
        case CORE_DUMP -> "/var/www/" + site + "/core." + (4000 + i);
        default -> "/var/log/nginx/access.log." + (i + 1) + ".gz";
      };
      long age = problem == Problem.OLD_BACKUPS ? (30L + 30 * i) * day : i * day;
      files.add(new String[] {path, owner, Long.toString(each), Long.toString(now - age)});
    }

    List<String> roots = new ArrayList<>();
    StringBuilder err = new StringBuilder();
    for (int i = 1; i < args.size() && args.get(i).startsWith("/"); i++) {
      String root = args.get(i);
      if (EXISTING_ROOTS.contains(root)) {
        roots.add(root);
      } else {
        err.append("find: '").append(root).append("': No such file or directory\n");
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] file : files) {
      if (roots.stream().anyMatch(root -> file[0].startsWith(root + "/"))) {
        out.append(file[2]).append('\t').append(file[3]).append(".0000000000\t").append(file[1]).append('\t')
            .append(file[0]).append('\n');
      }
    }
    return new Rendered(err.length() == 0 ? 0 : 1, out.toString(), err.toString());
  }

  /** {@code find DIR... -maxdepth 2 -type f -name GLOB -printf '%s\t%T@\t%p\n'}: the nginx access logs that match. */
  private Rendered findAccessLogs(List<String> args) {
    String glob = args.get(args.indexOf("-name") + 1);
    Pattern name = Pattern.compile(glob.replace(".", "\\.").replace("*", ".*").replace("?", "."));
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    long now = today.getEpochSecond();
    for (int i = 1; i < args.size() && args.get(i).startsWith("/"); i++) {
      String dir = args.get(i);
      if (!dir.equals("/var/log/nginx")) {
        err.append("find: '").append(dir).append("': No such file or directory\n");
        continue;
      }
      for (String file : List.of("access.log", site + ".access.log")) {
        if (name.matcher(file).matches()) {
          out.append(734003200L / (file.equals("access.log") ? 1 : 4)).append('\t').append(now - 60)
              .append(".0000000000\t/var/log/nginx/").append(file).append('\n');
        }
      }
    }
    return new Rendered(err.length() == 0 ? 0 : 1, out.toString(), err.toString());
  }

  // ---- processes and kernel figures ----

  private Rendered ps(boolean byMemory) {
    List<Object[]> processes = new ArrayList<>();
    processes.add(new Object[] {1L, "root", 0.0, 0.3, 12_000L, 3_000_000L, "/sbin/init"});
    processes.add(new Object[] {812L, "root", 0.0, 0.2, 9_800L, 3_000_000L, "nginx: master process /usr/sbin/nginx"});
    processes.add(new Object[] {813L, "www-data", 1.2, 0.4, 18_000L, 3_000_000L, "nginx: worker process"});
    processes.add(new Object[] {901L, "root", 0.1, 0.5, 30_000L, 3_000_000L,
        "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)"});
    processes.add(new Object[] {1002L, "mysql", 4.0 + random(2).nextInt(100) / 10.0, 18.0, memTotalKb / 6,
        3_000_000L, "/usr/sbin/mysqld"});
    for (int i = 0; i < 4; i++) {
      processes.add(new Object[] {2000L + i, "www-data", 2.0 + i, 1.5, 90_000L, 7_200L, "php-fpm: pool " + site});
    }
    if (problem == Problem.CPU_HOG) {
      processes.add(new Object[] {4242L, "www-data", 97.5, 3.2, 210_000L, 5_400L,
          "php /var/www/" + site + "/wp-cron.php"});
    }
    processes.sort((a, b) -> byMemory
        ? Long.compare((Long) b[4], (Long) a[4])
        : Double.compare((Double) b[2], (Double) a[2]));
    StringBuilder out = new StringBuilder("    PID USER     %CPU %MEM   RSS ELAPSED COMMAND\n");
    for (Object[] p : processes) {
      out.append(String.format(Locale.ROOT, "%7d %-8s %4.1f %4.1f %5d %7d %s%n", p));
    }
    return new Rendered(0, out.toString(), "");
  }

  private Rendered cat(String file) {
    return switch (file) {
      case "/proc/loadavg" -> new Rendered(0, String.format(Locale.ROOT, "%.2f %.2f %.2f 2/%d %d%n", load1,
          load1 * 0.9, load1 * 0.8, 300 + hostNumber % 200, 10_000 + hostNumber % 50_000), "");
      case "/proc/meminfo" -> {
        long available = memTotalKb * memAvailablePercent / 100;
        yield new Rendered(0, "MemTotal:       " + memTotalKb + " kB\n"
            + "MemFree:        " + available / 3 + " kB\n"
            + "MemAvailable:   " + available + " kB\n"
            + "Buffers:        " + available / 20 + " kB\n"
            + "Cached:         " + available / 2 + " kB\n"
            + "SwapTotal:      1048572 kB\n"
            + "SwapFree:       " + (1048572 - hostNumber % 100_000) + " kB\n", "");
      }
      default -> new Rendered(1, "", "cat: " + file + ": No such file or directory\n");
    };
  }

  // ---- logs and configuration tests ----

  private Rendered tail(List<String> args) {
    int lines = 10;
    int at = args.indexOf("-n");
    if (at >= 0 && at + 1 < args.size()) {
      lines = Integer.parseInt(args.get(at + 1));
    }
    String file = args.get(args.size() - 1);
    if (file.startsWith("/var/log/nginx/") && file.endsWith("access.log")) {
      return new Rendered(0, accessLog(Math.min(lines, accessLogLines)), "");
    }
    return switch (file) {
      case "/var/log/nginx/error.log" -> new Rendered(0, nginxErrors(Math.min(lines, 40)), "");
      case "/var/log/php8.2-fpm.log" -> new Rendered(0, "[" + FPM_TIME.format(today.minusSeconds(600))
          + "] WARNING: [pool " + site + "] server reached pm.max_children setting (10), consider raising it\n", "");
      case "/var/log/syslog" -> new Rendered(0, SYSLOG_TIME.format(today.minusSeconds(300)) + " " + host
          + " systemd[1]: Started Daily apt upgrade and clean activities.\n", "");
      default -> new Rendered(1, "", "tail: cannot open '" + file + "' for reading: No such file or directory\n");
    };
  }

  /** Renders the newest {@code lines} lines of an access log in the combined format, about one request per 50 ms. */
  private String accessLog(int lines) {
    SplittableRandom lineRandom = random(3);
    StringBuilder out = new StringBuilder(lines * 180);
    String flooder = "203.0.113." + (1 + hostNumber % 250);
    String time = "";
    for (int i = 0; i < lines; i++) {
      if (i % 20 == 0) {
        time = ACCESS_TIME.format(today.minusSeconds((lines - i) / 20L));
      }
      boolean flood = problem == Problem.LOGIN_FLOOD && lineRandom.nextInt(10) < 6;
      String ip = flood ? flooder : "198.51.100." + (1 + lineRandom.nextInt(254));
      String method = flood ? "POST" : "GET";
      String path = flood ? "/wp-login.php" : PATHS.get(lineRandom.nextInt(PATHS.size()));
      String agent = flood ? "python-requests/2.31.0" : USER_AGENTS.get(lineRandom.nextInt(USER_AGENTS.size()));
      int status = flood ? 200 : (lineRandom.nextInt(50) == 0 ? 404 : 200);
      out.append(ip).append(" - - [").append(time).append("] \"").append(method).append(' ').append(path)
          .append(" HTTP/1.1\" ").append(status).append(' ').append(500 + lineRandom.nextInt(20_000))
          .append(" \"-\" \"").append(agent).append("\"\n");
    }
    return out.toString();
  }

  private String nginxErrors(int lines) {
    StringBuilder out = new StringBuilder();
    int count = problem == Problem.LOGIN_FLOOD || problem == Problem.CPU_HOG ? lines : 2;
    for (int i = 0; i < count; i++) {
      out.append(NGINX_TIME.format(today.minusSeconds(count - i))).append(" [error] 813#813: *").append(1000 + i)
          .append(" upstream timed out (110: Connection timed out) while reading response header from upstream, "
              + "client: 198.51.100.").append(1 + i % 254).append(", server: ").append(site)
          .append(".example, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\"\n");
    }
    return out.toString();
  }

  private Rendered nginxTest() {
    if (nginxConfigBroken) {
      return new Rendered(1, "", "nginx: [emerg] unknown directive \"proxy_pas\" in /etc/nginx/sites-enabled/"
          + site + ".conf:" + (20 + hostNumber % 40) + "\nnginx: configuration file /etc/nginx/nginx.conf test failed\n");
    }
    return new Rendered(0, "", "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
        + "nginx: configuration file /etc/nginx/nginx.conf test is successful\n");
  }

  /** A generator for one kind of output, independent of the order in which commands arrive. */
  private SplittableRandom random(int stream) {
    return new SplittableRandom(hostSeed + stream * 0x9E3779B97F4A7C15L);
  }
}
