// Who may download the archives: the repository's visibility, checked before anything is uploaded
// (a release or a workflow artifact), because every archive embeds the cluster credentials.
import type { Log } from '../shared/index.js';
import type { ReleaseClient, RepositoryInfo } from './github.js';

/** The binaries embed cluster credentials: refuse a public repository unless allowed. */
export class PublicRepositoryError extends Error {
  constructor(repository: string) {
    super(
      `Refusing to publish to ${repository}: it is a public repository, and the ktctl archives embed your kubeconfig and kt config, ` +
        'so anyone could download the cluster credentials from the release or the workflow artifact. ' +
        'Publish from a private repository, or set allow-public: true if the embedded configs hold nothing secret.',
    );
    this.name = 'PublicRepositoryError';
  }
}

/** Reads the repository's visibility; call before publishing or uploading an artifact. */
export async function checkVisibility(client: ReleaseClient, allowPublic: boolean, log: Log): Promise<RepositoryInfo> {
  const repository = await client.getRepository();
  if (repository.visibility === 'public') {
    if (!allowPublic) throw new PublicRepositoryError(repository.fullName);
    log.warning(`${repository.fullName} is public and allow-public is true: anyone can download the embedded kubeconfig and kt config.`);
  } else if (repository.visibility === 'internal') {
    log.info(`${repository.fullName} is internal: every member of the enterprise can download the archives.`);
  }
  return repository;
}
