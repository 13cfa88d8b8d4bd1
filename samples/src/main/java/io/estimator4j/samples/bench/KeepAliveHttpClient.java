package io.estimator4j.samples.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The REST side of a load test, as wrk does it: one persistent HTTP/1.1 connection per client
 * thread, one prepared POST written per call, and the reply read whole (status line, headers, a
 * {@code Content-Length} body) before the next. No thread but the caller's takes part, so a call
 * measures the server and the loopback; the JDK's {@code HttpClient} hands each call to its own
 * selector thread and back, which adds about 200 µs per call on the 2-core machine (BENCHMARKS.md,
 * issue 15). A reply other than 200 throws with its body.
 */
public final class KeepAliveHttpClient implements AutoCloseable {
  private final String host;
  private final int port;
  private final byte[] request;
  private final List<Connection> open = new ArrayList<>();
  private final ThreadLocal<Connection> connection = new ThreadLocal<>();

  /** A client that POSTs {@code jsonBody} to {@code path} on {@code host:port}. */
  public KeepAliveHttpClient(String host, int port, String path, String jsonBody) {
    this.host = host;
    this.port = port;
    byte[] body = jsonBody.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST "
                + path
                + " HTTP/1.1\r\nHost: "
                + host
                + ":"
                + port
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    request = new byte[head.length + body.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(body, 0, request, head.length, body.length);
  }

  /** Sends the request on this thread's connection and returns the reply's body. */
  public byte[] post() {
    try {
      Connection c = connection.get();
      if (c == null) {
        c = new Connection(new Socket(host, port));
        synchronized (open) {
          open.add(c);
        }
        connection.set(c);
      }
      Reply r;
      try {
        c.out.write(request);
        c.out.flush();
        r = c.read();
      } catch (IOException e) {
        drop(c);
        throw e;
      }
      if (r.close) {
        drop(c);
      }
      if (r.status != 200) {
        throw new IllegalStateException(
            "HTTP " + r.status + ": " + new String(r.body, StandardCharsets.UTF_8));
      }
      return r.body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes this thread's connection {@code c}; the next call opens a new one. */
  private void drop(Connection c) {
    connection.remove();
    synchronized (open) {
      open.remove(c);
    }
    try {
      c.socket.close();
    } catch (IOException e) {
      // closing: nothing left to do with it
    }
  }

  @Override
  public void close() {
    synchronized (open) {
      for (Connection c : open) {
        try {
          c.socket.close();
        } catch (IOException e) {
          // closing: nothing left to do with it
        }
      }
      open.clear();
    }
  }

  private record Reply(int status, byte[] body, boolean close) {}

  private static final class Connection {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    Reply read() throws IOException {
      String status = line();
      // "HTTP/1.1 200 OK"
      if (!status.startsWith("HTTP/1.") || status.length() < 12) {
        throw new IOException("Not an HTTP/1.x status line: '" + status + "'");
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean close = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (name.equals("connection")) {
          close = value.equalsIgnoreCase("close");
        } else if (name.equals("transfer-encoding")) {
          throw new IOException(
              "Reply with Transfer-Encoding " + value + ": this client reads Content-Length only");
        }
      }
      if (length < 0 || length > Integer.MAX_VALUE - 8) {
        throw new IOException("Reply without a usable Content-Length (" + length + ")");
      }
      byte[] body = in.readNBytes((int) length);
      if (body.length < length) {
        throw new EOFException(
            "Reply body ended after " + body.length + " of " + length + " bytes");
      }
      return new Reply(code, body, close);
    }

    private String line() throws IOException {
      line.reset();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new EOFException("Connection closed inside a reply's head");
        }
        if (line.size() > 64 * 1024) {
          throw new IOException("Reply header line over 64 KiB");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
