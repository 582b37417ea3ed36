export { block } from './read';

export const COMPOSER_ENVIRONMENT = 'google_composer_environment';
