package fivestar;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a real Apache Solr 9 server (Solr's own JettySolrRunner, standalone mode)
 * on a solr home directory, bound to 127.0.0.1, and blocks until killed.
 *
 * Usage: java -cp ... fivestar.SolrLauncher SOLR_HOME PORT
 */
public final class SolrLauncher {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: SolrLauncher SOLR_HOME PORT");
      System.exit(2);
    }
    Path home = Paths.get(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    System.setProperty("solr.solr.home", home.toString());
    System.setProperty("host", "127.0.0.1");
    System.setProperty("jetty.host", "127.0.0.1");
    JettyConfig config = JettyConfig.builder()
        .setContext("/solr")
        .setPort(port)
        .stopAtShutdown(true)
        .build();
    JettySolrRunner runner = new JettySolrRunner(home.toString(), config);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try { runner.stop(); } catch (Exception e) { e.printStackTrace(); }
    }));
    runner.start();
    System.out.println("fivestar-solr: listening on http://127.0.0.1:" + runner.getLocalPort() + "/solr");
    Thread.currentThread().join();
  }
}
