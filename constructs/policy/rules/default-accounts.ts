/** Google's default service accounts, which the rules on workload identities refuse (shared by those rules). */

/** The Compute Engine default account (`<number>-compute@developer.gserviceaccount.com`). */
export const COMPUTE_DEFAULT_ACCOUNT = /-compute@developer\.gserviceaccount\.com$/;

/** The Compute Engine and the App Engine default accounts. */
export const DEFAULT_ACCOUNT = /-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$/;
