// This action's own version, from package.json: part of the build fingerprint and of --version.
import packageJson from '../../package.json' with { type: 'json' };

export const ACTION_VERSION: string = packageJson.version;
