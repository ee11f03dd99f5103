// `npm start` will boot the local cloud (packages/local) once it exists.
console.log('Cascade: the local cloud is not built yet (see issue 5). `npm test` runs the test suite.');
