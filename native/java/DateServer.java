// The lecture's date server: a ServerSocket on port 6013 (no IP address is
// needed to listen), accept() waits and returns the client's Socket, the
// current date goes to the client's output stream as a string, then
// client.close(). One client at a time, as in the lecture.
// Usage: java DateServer [port (6013; 0: any free one)] [clients (0: forever)]
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;

public class DateServer {
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 6013;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    try (ServerSocket sock = new ServerSocket(port)) {
      System.out.println("I am listening on port " + sock.getLocalPort());
      System.out.flush();
      /* now listen for connections */
      for (int served = 0; clients == 0 || served < clients; served++) {
        Socket client = sock.accept();
        System.out.println("New client is connected");
        System.out.flush();
        PrintWriter pout = new PrintWriter(client.getOutputStream(), true);
        /* write the Date to the socket */
        pout.println(new java.util.Date().toString());
        /* close the socket and resume listening for connections */
        client.close();
      }
    } catch (IOException ioe) {
      System.err.println(ioe);
      System.exit(1);
    }
  }
}
