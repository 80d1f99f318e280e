/**
 * The Debian packages each near-duplicate corpus is built from, and how many unique images to keep from each (the rest
 * of a package is not used). `benchmark` is the corpus the default encoder was chosen, fitted and calibrated on (its
 * tuning half) and measured on (its held-out half); `fresh` shares no package with it and was never tuned on: both its
 * halves measure how the shipped encoder and thresholds carry over to other images (bench/README.md).
 * Kinds in both: game sprites / tiles / portraits, wallpapers / photos, icons with transparency, clipart, science.
 *
 *   npx tsx bench/corpus-packages.ts <corpus>   prints the corpus's package names, one per line (fetch-corpus.sh)
 */
export const CORPORA: Record<string, Record<string, number>> = {
  benchmark: {
    'wesnoth-1.16-data': 450, // portraits, unit sprites, terrain tiles (PNG, transparency)
    'freeciv-data': 150, // tile sets
    'frozen-bubble-data': 110, // game art
    'lincity-ng-data': 110, // isometric city tiles
    'pingus-data': 110, // sprites, backgrounds
    'gnome-backgrounds': 99, // wallpapers (photos, renders)
    'mate-backgrounds': 99, // wallpapers (photos)
    'ukui-wallpapers': 99, // wallpapers (photos)
    'plasma-workspace-wallpapers': 99, // wallpapers (photos)
    'oxygen-icon-theme': 220, // icons up to 256 px with transparency
    'kstars-data': 200, // astronomical images
    'marble-data': 80, // maps, flags
    'python-matplotlib-data': 99, // scientific sample data
    'python3-skimage': 99, // scientific sample data (astronaut, coffee, ...)
    'opencv-doc': 200, // computer-vision sample images
    'tuxpaint-stamps-default': 300, // photos and drawings of objects, many transparent
  },
  fresh: {
    'hedgewars-data': 250, // sprites, hats, themes' backgrounds (PNG, transparency)
    'supertux-data': 250, // tiles, sprites, level backgrounds
    'freedroidrpg-data': 200, // portraits, items, isometric tiles
    'neverball-data': 120, // textures, level shots
    'extremetuxracer-data': 80, // textures, course previews
    'games-thumbnails': 200, // screenshots of games
    'desktop-base': 60, // Debian wallpapers and splash screens
    'lomiri-wallpapers': 30, // wallpapers (photos)
    'stellarium-data': 150, // sky textures, landscapes, nebulae (photos)
    'gcompris-qt-data': 250, // educational pictures (photos and drawings)
    'tango-icon-theme': 120, // icons with transparency
    'mate-icon-theme': 150, // icons with transparency
    'openclipart-png': 300, // clipart, transparent
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = CORPORA[process.argv[2] ?? 'benchmark'];
  if (!corpus) throw new Error(`Unknown corpus ${process.argv[2]}; known: ${Object.keys(CORPORA).join(', ')}`);
  console.log(Object.keys(corpus).join('\n'));
}
