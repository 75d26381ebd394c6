//! Where `serve` meets the system: the port it listens on, the current-thread runtime the
//! server runs on until Ctrl-C (or SIGTERM), and the browser it may open. The requests
//! themselves are `http`'s.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;

use crate::serve::Error;
use crate::serve::http;
use crate::serve::state::Shared;

/// How many ports after the asked one are tried when it is taken.
const PORT_ATTEMPTS: u16 = 10;

/// A bound listener, and the ports that were taken before it was found.
pub(crate) struct Bound {
    pub(crate) listener: TcpListener,
    pub(crate) busy: Vec<u16>,
}

/// Binds `port`, or when it is taken the next free one of [`PORT_ATTEMPTS`].
pub(crate) fn bind(address: IpAddr, port: u16) -> Result<Bound, Error> {
    let mut busy = Vec::new();
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS - 1)
    };
    let mut candidate = port;
    loop {
        match TcpListener::bind(SocketAddr::new(address, candidate)) {
            Ok(listener) => return Ok(Bound { listener, busy }),
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse && candidate < last => {
                busy.push(candidate);
                candidate += 1;
            }
            Err(source) => {
                let first = SocketAddr::new(address, port);
                return Err(Error::Bind {
                    address: if busy.is_empty() {
                        first.to_string()
                    } else {
                        format!("{first} (nor on the next ports up to {last})")
                    },
                    source,
                });
            }
        }
    }
}

/// The current-thread runtime the server runs on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::setup("the server", source))
}

/// A future that completes on Ctrl-C (or SIGTERM); the signals are caught from now on.
pub(crate) fn on_shutdown(
    runtime: &tokio::runtime::Runtime,
) -> Result<impl Future<Output = ()> + use<>, Error> {
    let _context = runtime.enter();
    shutdown_signal().map_err(|source| Error::setup("the Ctrl-C handler", source))
}

/// Serves until `shutdown` completes.
pub(crate) async fn run_server(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let server = std::pin::pin!(axum::serve(listener, http::router(shared)).into_future());
    let shutdown = std::pin::pin!(shutdown);
    // Open event streams never end by themselves, so waiting for connections to close would
    // wait forever: stop serving at once; the runtime drops the connections.
    match futures_util::future::select(server, shutdown).await {
        futures_util::future::Either::Left((result, _)) => result,
        futures_util::future::Either::Right(((), _)) => Ok(()),
    }
}

/// A future that completes on Ctrl-C or SIGTERM. Must be called inside the runtime; the
/// signals are caught from then on.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let interrupt = std::pin::pin!(interrupt.recv());
        let terminate = std::pin::pin!(terminate.recv());
        futures_util::future::select(interrupt, terminate).await;
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Opens `url` in the default browser; best effort.
pub(crate) fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else if cfg!(windows) {
        std::process::Command::new("cmd")
            .args(["/C", "start", "", url])
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    drop(command);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_moves_to_the_next() {
        let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = taken.local_addr().expect("address").port();
        let bound = bind(IpAddr::from([127, 0, 0, 1]), port).expect("a free port");
        assert_eq!(bound.busy.first(), Some(&port));
        assert_ne!(bound.listener.local_addr().expect("address").port(), port);
    }

    #[test]
    fn port_zero_lets_the_system_choose() {
        let bound = bind(IpAddr::from([127, 0, 0, 1]), 0).expect("bind");
        assert!(bound.busy.is_empty());
        assert_ne!(bound.listener.local_addr().expect("address").port(), 0);
    }
}
