// Staying signed in across app restarts, matching android/core-jvm's
// SyncSession. The core hands out the session (server, token, account)
// after login; the app keeps it in the Keychain through a SessionVault.
// The pull cursor is not part of it: the device store keeps that.
// NOTE: not compiled on the Linux development machine.
import Foundation
import StepwiseFFI

/// Secure storage for the one saved session. The iOS app implements it with
/// the Keychain, such as a generic-password item holding the encoded record.
public protocol SessionVault: AnyObject {
    func save(_ session: SessionRecord) throws
    /// The saved session, or nil when there is none.
    func load() throws -> SessionRecord?
    func clear() throws
}

/// The app's account on `server`, restored from `vault` when a session was
/// saved there. A call that fails with `RemoteError.SessionExpired` deletes
/// the saved session before the error reaches the caller, and `account`
/// becomes nil: the app then shows its login screen.
public final class SyncSession {
    private let server: String
    private let vault: SessionVault
    public private(set) var account: SyncAccount?

    public init(server: String, vault: SessionVault) throws {
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.server = trimmed
        self.vault = vault
        if let saved = try vault.load() {
            if saved.server == trimmed {
                account = try SyncAccount.restore(session: saved)
            } else {
                // The app now points at another server: the token is no good there.
                try vault.clear()
            }
        }
    }

    /// Logs in, saves the session in the vault, and returns it.
    @discardableResult
    public func login(username: String, password: String) async throws -> SessionRecord {
        let account = try SyncAccount(server: server)
        let session = try await account.login(username: username, password: password)
        try vault.save(session)
        self.account = account
        return session
    }

    /// Revokes the token on the server and deletes the saved session. The
    /// session is deleted even when the server cannot be reached, and that
    /// error is then thrown.
    public func logout() async throws {
        guard let account else { return }
        defer {
            try? vault.clear()
            self.account = nil
        }
        try await account.logout()
    }

    /// Runs `work` with the signed-in account. Throws
    /// `RemoteError.NotLoggedIn` when there is none.
    public func withAccount<T>(_ work: (SyncAccount) async throws -> T) async throws -> T {
        guard let account else {
            throw RemoteError.NotLoggedIn(message: "not logged in; log in with a user name and password first")
        }
        do {
            return try await work(account)
        } catch RemoteError.SessionExpired(let message) {
            try? vault.clear()
            self.account = nil
            throw RemoteError.SessionExpired(message: message)
        }
    }

    /// Syncs the unlocked profile of `app`: see `SyncAccount.syncNow`.
    public func sync(app: StepwiseStore) async throws -> SyncSummary {
        try await withAccount { try await $0.syncNow(app: app) }
    }
}
