import { Initial1763870000000 } from './1763870000000-initial';

/** Every migration, oldest first. A new one is added here as well as in its own file. */
export const MIGRATIONS = [Initial1763870000000];
