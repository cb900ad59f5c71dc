/**
 * Real catalogues shipped with the page (public/data/): each is a world of the Lab and an
 * example in Your data, trained as imported data (the simulation's knobs do not apply).
 */
export interface RealWorld {
  id: string;
  /** The catalogue's name, as reports made on it carry it (config.data.name). */
  name: string;
  /** Folder of its three import files, relative to the page. */
  folder: string;
  description: string;
}

export const REAL_WORLDS: readonly RealWorld[] = [
  {
    id: 'movielens-small',
    name: 'MovieLens (small)',
    folder: 'data/movielens-small/',
    description: 'MovieLens ml-latest-small (GroupLens; Harper & Konstan 2015), converted: 3,351 movies, 610 users\' rating histories (24,143 training examples), 2,978 user tags as queries (they name 28 % of the movies); each movie\'s text is its title, genres and most used tags, its category its first genre. Licence and citation: data/movielens-small/README.md.',
  },
];

export const realWorld = (id: string): RealWorld | undefined => REAL_WORLDS.find((w) => w.id === id);
