// The lecture's date client: a Socket to 127.0.0.1:6013, read the line(s)
// from its input stream, print them, close. Change the address and the port
// and run it again (the lecture's exercise).
// Usage: java DateClient [host (127.0.0.1)] [port (6013)]
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;

public class DateClient {
  public static void main(String[] args) {
    String host = args.length > 0 ? args[0] : "127.0.0.1";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 6013;
    try (Socket sock = new Socket(host, port)) {
      /* make connection to server socket */
      BufferedReader bin = new BufferedReader(new InputStreamReader(sock.getInputStream()));
      /* read the date from the socket */
      String line;
      while ((line = bin.readLine()) != null) System.out.println(line);
      /* close the socket connection */
    } catch (IOException ioe) {
      System.err.println(ioe);
      System.exit(1);
    }
  }
}
