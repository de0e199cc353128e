// performance.md row 9 baseline: an empty React app of the same stack (built by Vite, served by Node).
import { createRoot } from 'react-dom/client';

const root = document.getElementById('root');
if (root) createRoot(root).render(<main><h1>Ready</h1></main>);
