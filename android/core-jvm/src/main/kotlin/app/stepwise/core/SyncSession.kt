// Staying signed in across app restarts. After a login the core hands out
// the session (server, token, account); the app keeps it in secure storage
// through a SessionVault and gives it back to the core at the next start.
// The pull cursor is not part of it: the device store keeps that.
package app.stepwise.core

import app.stepwise.ffi.RemoteException
import app.stepwise.ffi.SessionRecord
import app.stepwise.ffi.StepwiseStore
import app.stepwise.ffi.SyncAccount
import app.stepwise.ffi.SyncSummary

/**
 * Secure storage for the one saved session. The Android app implements it
 * with the Android Keystore, such as a Keystore key that encrypts the record
 * in the app's private files. The methods may block on storage, so call
 * them off the main thread.
 */
interface SessionVault {
    fun save(session: SessionRecord)

    /** The saved session, or null when there is none. */
    fun load(): SessionRecord?

    fun clear()
}

/**
 * The app's account on [server], restored from [vault] when a session was
 * saved there, so that a restart needs no new login. A call that fails with
 * [RemoteException.SessionExpired] deletes the saved session before the
 * exception reaches the caller, and [account] becomes null: the app then
 * shows its login screen.
 */
class SyncSession(server: String, private val vault: SessionVault) {
    private val server = server.trimEnd('/')

    @Volatile
    private var current: SyncAccount? = restoreSaved()

    /** The signed-in account, or null when the user must log in. */
    val account: SyncAccount?
        get() = current

    private fun restoreSaved(): SyncAccount? {
        val saved = vault.load() ?: return null
        if (saved.server != server) {
            // The app now points at another server: the token is no good there.
            vault.clear()
            return null
        }
        return SyncAccount.restore(saved)
    }

    /** Logs in, saves the session in the vault, and returns it. */
    suspend fun login(username: String, password: String): SessionRecord {
        val account = SyncAccount(server)
        val session = account.login(username, password)
        vault.save(session)
        current = account
        return session
    }

    /**
     * Revokes the token on the server and deletes the saved session. The
     * session is deleted even when the server cannot be reached, and that
     * error is then thrown.
     */
    suspend fun logout() {
        val account = current ?: return
        try {
            account.logout()
        } finally {
            vault.clear()
            current = null
        }
    }

    /**
     * Runs [work] with the signed-in account. Throws
     * [RemoteException.NotLoggedIn] when there is none.
     */
    suspend fun <T> withAccount(work: suspend (SyncAccount) -> T): T {
        val account = current
            ?: throw RemoteException.NotLoggedIn("not logged in; log in with a user name and password first")
        try {
            return work(account)
        } catch (expired: RemoteException.SessionExpired) {
            vault.clear()
            current = null
            throw expired
        }
    }

    /** Syncs the unlocked profile of [app]: see [SyncAccount.syncNow]. */
    suspend fun sync(app: StepwiseStore): SyncSummary = withAccount { it.syncNow(app) }
}
